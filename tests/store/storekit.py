"""Helpers of the store tests: an upload as the store receives it, table counts, raw SQL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from screening.ingest.loaders import LoadResult, load_upload
from screening.pipeline import Screening, screen_frames
from screening.store import store_upload
from screening.store.tables import Base

REPO = Path(__file__).resolve().parents[2]


@dataclass
class UploadFiles:
    """An upload as the store receives it: file name, bytes, load result and screening."""

    file_name: str
    content: bytes
    loaded: LoadResult
    screening: Screening


def make_upload(visits: Path, interviews: Path | None = None) -> UploadFiles:
    loaded = load_upload(visits, interviews)
    content = visits.read_bytes() + (interviews.read_bytes() if interviews else b"")
    screening = screen_frames(loaded.visits, loaded.interviews, rejected=loaded.rejected)
    return UploadFiles(visits.name, content, loaded, screening)


def put(engine, upload: UploadFiles, *, user=None, content: bytes | None = None, **options):
    """Store an upload (its own bytes unless ``content`` is given)."""
    return store_upload(engine, user=user, file_name=upload.file_name,
                        content=upload.content if content is None else content,
                        loaded=upload.loaded, screening=upload.screening, **options)


def counts(engine) -> dict[str, int]:
    """Rows per store table."""
    with engine.connect() as connection:
        return {t.name: connection.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables}


def dialect(engine) -> str:
    return engine.dialect.name


def raw(engine, sql: str, **params):
    with engine.begin() as connection:
        return connection.execute(text(sql), params)
