"""An inspector's uploads after the fact: the history, a receipt opened again, the file with its
errors marked, and deleting a kept file.

Who may see what: an inspector their own uploads, an admin everyone's (another user's upload
answers "not found", so nobody learns which ids exist). Every opening of a receipt, download
of a marked file and deletion is audited; expired files are deleted whenever the history or a
receipt is opened (and at every upload).
"""

from __future__ import annotations

from pathlib import PurePath

from sqlalchemy import select

from screening.errors import NotFoundError
from screening.outputs.exports import XLSX_TYPE, Download
from screening.outputs.rejections import row_messages
from screening.service.context import Services
from screening.service.parsing import mark_in_worker
from screening.store import Receipt, audit, receipt_of, transaction
from screening.store.tables import RejectedRow, User
from screening.store.upload_files import (
    PARTS,
    UploadSummary,
    forget_files,
    kept_file,
    owned_upload,
    purge_expired,
    upload_history,
    urgent_visits,
)

TABLES_OF_PART = {"visits": ("visits", "interviews"), "interviews": ("interviews",)}
"""The tables a kept file may hold: the first file may hold both (a workbook), a separate
interviews file only interviews."""


def purge_kept_files(services: Services) -> int:
    """Delete the uploaded files kept past their time (audited); how many. Run by the
    notifier's rounds beside ``screening serve``, and at every upload and opening of *My
    uploads* or a receipt."""
    with transaction(services.engine) as session:
        return purge_expired(session, services.settings.now())


def my_uploads(services: Services, user: User) -> list[UploadSummary]:
    """The uploads ``user`` may see, newest first (expired files deleted first)."""
    with transaction(services.engine) as session:
        purge_expired(session, services.settings.now())
        return upload_history(session, user)


def receipt_for(services: Services, user: User, upload_id: int, *, via: str = "web"
                ) -> Receipt:
    """An upload's receipt again, for its uploader or an admin (audited ``receipt.read``).

    Raises
    ------
    NotFoundError
        No such upload of the user's.
    """
    with transaction(services.engine) as session:
        purge_expired(session, services.settings.now())
        upload = owned_upload(session, upload_id, user)
        receipt = receipt_of(session, upload)
        audit(session, user, "receipt.read", "upload", upload_id, via=via)
    return receipt


def marked_download(services: Services, user: User, upload_id: int, part: str, lang: str,
                    *, via: str = "web") -> Download:
    """The kept file of an upload with its errors marked, in ``lang`` (audited), made in a
    worker process with the upload's time and memory limits.

    Parameters
    ----------
    part : str
        ``visits`` (the first file) or ``interviews`` (a separate interviews file).
    lang : str
        The language of the messages written into the file.

    Raises
    ------
    NotFoundError
        Not the user's upload, an unknown part, or the file is no longer kept.
    UploadRefused
        Marking took longer or more memory than an upload may.
    """
    if part not in PARTS:
        raise NotFoundError(f"An upload has no part {part!r}; use visits or interviews.")
    with transaction(services.engine) as session:
        purge_expired(session, services.settings.now())
        kept = kept_file(session, upload_id, part, user)
        name, content = kept.file_name, kept.content
        cells = session.scalars(select(RejectedRow).where(RejectedRow.upload_id == upload_id)
                                .order_by(RejectedRow.id)).all()
        messages = row_messages(cells, lang)
        audit(session, user, "file.marked.read", "upload", upload_id, part=part, lang=lang,
              via=via)
    tables = TABLES_OF_PART[part]
    by_table: dict[str, dict[int, list]] = {t: {} for t in tables}
    for (_, table, row), problems in messages.items():
        if table in by_table:
            by_table[table].setdefault(row, []).extend(problems)
    suffix = PurePath(name).suffix.lower()
    stem = f"upload-{upload_id}-{part}-errors"
    settings = services.settings
    limits = {"seconds": settings.parse_timeout_s, "memory_mb": settings.parse_memory_mb}
    if suffix == ".xlsx":
        return Download(mark_in_worker(name, content, by_table, **limits), XLSX_TYPE,
                        f"{stem}.xlsx")
    return Download(mark_in_worker(name, content, by_table[tables[0]], **limits),
                    "text/csv; charset=utf-8", f"{stem}.csv")


def urgent_of(services: Services, receipt: Receipt) -> list[dict]:
    """The urgent visits an upload stored (new or corrected), each with its latest referral
    case id (the one this upload opened, or the case a correction kept)."""
    if not receipt.urgent_visits:
        return []
    with transaction(services.engine, write=False) as session:
        found = urgent_visits(session, [receipt.upload_id]).get(receipt.upload_id, [])
    return found


def forget(services: Services, user: User, upload_id: int) -> int:
    """Delete an upload's kept files now (its uploader or an admin); how many (audited)."""
    with transaction(services.engine) as session:
        return forget_files(session, upload_id, user)


__all__ = ["forget", "marked_download", "my_uploads", "purge_kept_files", "receipt_for",
           "urgent_of"]
