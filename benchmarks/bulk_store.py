"""The bulk store paths at a million visits, on SQLite and PostgreSQL, against plain pandas.

For each database, in the same run: storing 1,000,000 screened visits and ~3,000,000
interviews through ``store_upload`` (COPY / batched executemany from Arrow, then the list's
entries) against ``pandas.DataFrame.to_sql`` of the same rows into plain tables; reading the
stored visits and interviews back as typed frames through Arrow against the row-by-row read it
replaced; and exporting the whole follow-up list as CSV (keyset chunks in one snapshot, the
service's path) against ``pandas.read_sql`` of the list's join ordered in SQL plus ``to_csv``.
Each side runs once (a million rows each way is long enough to time).
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from benchmarks.common import measure

PG_ADMIN = os.environ.get("SCREENING_TEST_POSTGRES_URL",
                          "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def databases() -> Iterator[tuple[str, str]]:
    """(name, URL) of an empty SQLite file and, when a server answers, a fresh PostgreSQL
    database; both are removed afterwards."""
    from sqlalchemy import create_engine

    from screening.store.engine import normalise_url

    made = []
    with tempfile.TemporaryDirectory() as tmp:
        urls = [("SQLite", f"sqlite:///{tmp}/screening.sqlite3")]
        admin = create_engine(normalise_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
        name = f"screening_bench_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as c:
                c.exec_driver_sql(f'CREATE DATABASE "{name}"')
            made.append(name)
            urls.append(("PostgreSQL", normalise_url(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)))
        except Exception as error:  # noqa: BLE001 - no server: SQLite only, and say so
            print(f"PostgreSQL not reachable ({error}); its run was skipped.")
        try:
            yield urls
        finally:
            for db in made:
                with admin.connect() as c:
                    c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            admin.dispose()


def screened(n: int, seed: int = 21):
    """``n`` synthetic visits with their interviews, loaded from Parquet as an upload is, and
    screened with the rules and the shipped model: (file bytes, load result, screening)."""
    from screening.datasets.synthetic import generate, write
    from screening.ingest.bounds import Bounds
    from screening.ingest.loaders import load_upload
    from screening.model.versions import load
    from screening.pipeline import screen_frames
    from screening.rules.catalogue import load_catalogue

    data = generate(n, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write(data, tmp, "parquet")
        # a million visits bring three million interviews: past an HTTP upload's bounds
        loaded = load_upload(paths["visits"], paths["interviews"],
                             Bounds(max_rows=10**8, max_decompressed_mb=1e6))
        content = Path(paths["visits"]).read_bytes()
    model = load("default", load_catalogue())
    return content, loaded, screen_frames(loaded.visits, loaded.interviews, model=model)


def seed(url: str, content: bytes, loaded, screening) -> float:  # noqa: ANN001
    """Migrate the store at ``url`` and store the screened upload through the bulk path;
    then let the planner see the new tables (ANALYZE). Seconds taken by the storing."""
    from screening.store import migrate, store_upload

    engine = migrate(url)
    seconds, _, _ = measure(lambda: store_upload(
        engine, user=None, file_name="bulk.parquet", content=content, loaded=loaded,
        screening=screening))
    analyze(engine)
    engine.dispose()
    return seconds


def analyze(engine) -> None:  # noqa: ANN001
    """Planner statistics (and, on PostgreSQL, the visibility map for index-only scans)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as c:
            c.exec_driver_sql("ANALYZE")


def _to_sql(url: str, loaded, screening) -> float:  # noqa: ANN001
    """pandas ``to_sql`` of the same visits, interviews and screenings into plain tables."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    frames = {"plain_visits": loaded.visits, "plain_interviews": loaded.interviews,
              "plain_screenings": screening.follow_up}

    def write() -> None:
        for name, frame in frames.items():
            frame.to_sql(name, engine, if_exists="replace", index=False, chunksize=50_000)

    seconds, _, _ = measure(write)
    engine.dispose()
    return seconds


LIST_SQL = """
SELECT v.visit_id, v.site_id, v.region, v.sector, v.visit_date, s.tier, s.risk_score,
       s.rule_score, s.icls_workers, s.indicators, s.reasons, s.exploration, s.selected,
       s.selection_probability, s.model_version, v.upload_id, v.version,
       s.icls_unknown_workers, v.employer_id
FROM visits v JOIN screenings s ON s.visit_row_id = v.id AND s.is_latest
WHERE v.is_current
ORDER BY CASE WHEN s.tier = 'urgent' THEN 0 ELSE 1 END,
         CASE WHEN s.risk_score IS NULL THEN 1 ELSE -s.risk_score END, -s.tier_rank,
         CASE WHEN s.risk_score IS NULL THEN -s.rule_score ELSE 0 END, v.id
"""


def one_database(kind: str, url: str, n: int, data) -> list[dict]:  # noqa: ANN001
    """Store, read back and export on one database; the rows of the table."""
    from sqlalchemy import create_engine

    from screening.outputs.exports import list_csv_stream
    from screening.service.follow_up import export_frames
    from screening.store import create_engine_for
    from screening.store.frames import stored_frames, stored_frames_rows

    content, loaded, screening = data

    def say(what: str, seconds: float) -> None:  # as it goes: a run cut short still tells
        print(f"{kind}: {what} {seconds:.1f} s", file=sys.stderr, flush=True)

    store_s = seed(url, content, loaded, screening)
    say("bulk store", store_s)
    pandas_store_s = _to_sql(url, loaded, screening)
    say("pandas to_sql", pandas_store_s)
    engine = create_engine_for(url)
    read_s, read_peak, (visits, interviews) = measure(lambda: stored_frames(engine))
    say("frames through Arrow", read_s)
    rows_s, _, _ = measure(lambda: stored_frames_rows(engine))
    say("frames row by row", rows_s)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "list.csv"

        def export() -> int:
            with out.open("wb") as f:
                for piece in list_csv_stream(export_frames(engine)).chunks:
                    f.write(piece)
            return out.stat().st_size

        export_s, export_peak, size = measure(export)
        say("export", export_s)
        plain = create_engine(url)
        pandas_export_s, _, _ = measure(
            lambda: pd.read_sql(LIST_SQL, plain).to_csv(Path(tmp) / "plain.csv", index=False))
        say("pandas read_sql + to_csv", pandas_export_s)
        plain.dispose()
    engine.dispose()
    stored = f"{n:,} visits + {len(loaded.interviews):,} interviews"
    return [
        {"benchmark": f"{kind}: store through the bulk path (COPY / batches, entries, indexes)",
         "rows": stored, "seconds": store_s, "rows_per_s": n / store_s, "peak_rss": None,
         "target": "<= 2x pandas to_sql", "ok": store_s <= 2 * pandas_store_s,
         "note": f"ratio {store_s / pandas_store_s:.2f}x pandas to_sql "
                 f"({pandas_store_s:.1f} s into plain tables, no indexes)"},
        {"benchmark": f"{kind}: stored visits and interviews to typed frames through Arrow",
         "rows": stored, "seconds": read_s, "rows_per_s": n / read_s, "peak_rss": read_peak,
         "target": ">= 2x faster than row by row", "ok": rows_s / read_s >= 2,
         "note": f"row by row through SQLAlchemy: {rows_s:.1f} s "
                 f"({rows_s / read_s:.1f}x slower); {len(visits):,} + {len(interviews):,}"},
        {"benchmark": f"{kind}: export the follow-up list as CSV (keyset chunks, snapshot)",
         "rows": f"{n:,} visits", "seconds": export_s, "rows_per_s": n / export_s,
         "peak_rss": export_peak, "target": "<= 2x pandas read_sql + to_csv",
         "ok": export_s <= 2 * pandas_export_s,
         "note": f"ratio {export_s / pandas_export_s:.2f}x pandas read_sql of the list's "
                 f"join + to_csv ({pandas_export_s:.1f} s); {size / 1e6:,.0f} MB"},
    ]


def bench_bulk_store(n: int = 1_000_000) -> list[dict]:
    """Both databases, one table."""
    data = screened(n)
    rows = []
    with databases() as urls:
        for kind, url in urls:
            rows += one_database(kind, url, n, data)
    return rows


__all__ = ["LIST_SQL", "analyze", "bench_bulk_store", "databases", "one_database", "screened",
           "seed"]
