"""Store an upload in one transaction and hand back its receipt.

Everything an upload brings — valid visits and interviews, rejected rows, the screenings of the
new visits, the upload row and its audit entry — is written in one transaction, with bulk
inserts: either all of it is in the store or none of it is.

Over 400 lines on purpose: the receipt, the row numbers, the ownership check of a correction
and the transaction that uses them are one unit of work; a split would expose their private
helpers as an interface.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import PurePath

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.errors import ConflictError, ForbiddenError, StoreError
from screening.ingest.loaders import LoadResult
from screening.ingest.records import INTERVIEW_COLUMNS, VISIT_COLUMNS, ColumnSpec, Kind
from screening.ingest.validation import REJECTED_COLUMNS
from screening.pipeline import Screening
from screening.store.accounts import audit, user_id_of
from screening.store.bulk import insert_arrow
from screening.store.engine import transaction
from screening.store.entries import refresh_upload
from screening.store.tables import (
    TIERS,
    Interview,
    ReferralCase,
    RejectedRow,
    ScreeningRow,
    Upload,
    User,
    Visit,
)

ALREADY_STORED = "already_stored"
"""Reason code of a visit whose ``visit_id`` is already in the store (and not a correction)."""
VISIT_REJECTED = "visit_rejected"
_CHUNK = 2000


class RejectedCell(BaseModel):
    """One failing cell of an upload, as in the rejected table of the loaders."""

    source: str
    table: str
    row: int | None
    column: str
    value: str | None
    reason: str
    message: str
    visit_id: str | None = None
    worker_ref: str | None = None


class Receipt(BaseModel):
    """What an upload brought: accepted and rejected rows, and the new visits' tiers.

    Attributes
    ----------
    upload_id : int
    file_name, sha256 : str
    created_at : datetime
    is_correction : bool
    accepted, rejected : dict of str to int
        Rows per table (``visits``, ``interviews``).
    rejected_rows : list of RejectedCell
        One entry per failing cell.
    tiers : dict of str to int
        Number of new visits per tier (every tier present, urgent first).
    visit_tiers : dict of str to str
        The tier of each new visit, in follow-up order.
    repeat : bool
        True when the same file had been stored before: this is the first upload's receipt and
        nothing was stored this time.
    model_version : str or None
        The model version that screened the new visits; None: the rules alone.
    model_problem : str or None
        Why the active model was not used, when one is set but could not be loaded.
    referral_cases : dict of str to int
        The referral case opened for each urgent new visit (visit_id -> case id).
    interpretations : list of dict
        What this reading of the file read in a local form (decimal commas, dates
        day.month.year, Azerbaijani names, region spellings, the encoding, the separator):
        ``source, table, column, kind, cells, example, read_as, message`` each
        (:mod:`screening.ingest.interpretations`); filled by the service, not stored.
    """

    upload_id: int
    file_name: str
    sha256: str
    created_at: dt.datetime
    is_correction: bool
    accepted: dict[str, int]
    rejected: dict[str, int]
    rejected_rows: list[RejectedCell]
    tiers: dict[str, int]
    visit_tiers: dict[str, str]
    repeat: bool = False
    model_version: str | None = None
    model_problem: str | None = None
    referral_cases: dict[str, int] = {}
    interpretations: list[dict[str, object]] = []

    def rejected_frame(self) -> pd.DataFrame:
        """The rejected cells as a frame with the columns of the loaders' rejected table."""
        return pd.DataFrame([c.model_dump() for c in self.rejected_rows],
                            columns=list(REJECTED_COLUMNS))


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored time as timezone-aware UTC (SQLite gives it back without a timezone)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def visible(text: str) -> str:
    """Text with its NUL characters shown as ``\\x00`` (a database text column cannot hold one).

    >>> visible("a\\x00b")
    'a\\\\x00b'
    """
    return text.replace("\x00", "\\x00")


def sha256_of(content: bytes) -> str:
    """Hex sha256 of an uploaded file's bytes."""
    return hashlib.sha256(content).hexdigest()


def _first_row(file_name: str) -> int:
    """Row number of the first data row: 2 below a header (CSV, XLSX), else 1 (JSON, Parquet)."""
    return 1 if PurePath(file_name).suffix.lower() in (".json", ".parquet") else 2


def row_numbers(loaded: LoadResult, table: str, first_row: int) -> np.ndarray | None:
    """The file row number of each valid row of ``table``, or None when it cannot be known.

    The loaders' valid frames do not carry row numbers; they are recovered from the rows read
    minus the rejected ones, which is exact unless blank rows were skipped.
    """
    valid = loaded.visits if table == "visits" else loaded.interviews
    if loaded.blank_rows.get(table):
        return None
    numbers = first_row + np.arange(loaded.rows_read.get(table, 0))
    bad = loaded.rejected.loc[loaded.rejected["table"] == table, "row"].to_numpy()
    numbers = numbers[~np.isin(numbers, bad)]
    return numbers if len(numbers) == len(valid) else None


def _values(series: pd.Series, kind: Kind | None) -> list:
    """Plain Python values for the database driver, ``None`` for unknown."""
    if kind is Kind.DATE:
        dates = pd.to_datetime(series)
        return [None if pd.isna(d) else d.date() for d in dates]
    values = series.astype(object)
    return values.where(series.notna(), None).tolist()


_ARROW_TYPES = {Kind.TEXT: pa.string(), Kind.CHOICE: pa.string(), Kind.INT: pa.int64(),
                Kind.NUMBER: pa.float64(), Kind.BOOL: pa.bool_(), Kind.DATE: pa.date32()}


def _arrow(series: pd.Series, kind: pa.DataType) -> pa.Array:
    """One typed column as Arrow, unknown as null."""
    array = pa.Array.from_pandas(series)
    if pa.types.is_large_string(array.type) and not pa.types.is_string(kind):
        array = array.cast(pa.string())
    return array.cast(kind)


def records(frame: pd.DataFrame, specs: list[ColumnSpec], **constant: object) -> pa.Table:
    """Rows of a validated frame as an Arrow table for a bulk insert
    (:func:`screening.store.bulk.insert_arrow`); extra columns go to ``extra`` (JSON text).

    Examples
    --------
    >>> from screening.ingest.records import INTERVIEW_COLUMNS
    >>> frame = pd.DataFrame({"visit_id": ["V1"], "worker_ref": ["W1"], "age": [30],
    ...                       "shoe_size": ["42"]})
    >>> row = records(frame, INTERVIEW_COLUMNS[:3], visit_row_id=7).to_pylist()[0]
    >>> row["age"], row["extra"], row["visit_row_id"]
    (30, '{"shoe_size": "42"}', 7)
    """
    names = [s.name for s in specs]
    columns = {s.name: _arrow(frame[s.name], _ARROW_TYPES[s.kind])
               for s in specs if s.name in frame}
    extras = [c for c in frame.columns if c not in names]
    texts: list[str | None] = [None] * len(frame)
    if extras:
        values = [_values(frame[c], None) for c in extras]
        for i in range(len(frame)):
            extra = {c: str(v[i]) for c, v in zip(extras, values, strict=True)
                     if v[i] is not None}
            texts[i] = json.dumps(extra) if extra else None
    columns["extra"] = pa.array(texts, pa.string())
    for name, value in constant.items():
        if isinstance(value, pa.Array):
            columns[name] = value
        else:
            columns[name] = pa.array([value] * len(frame))
    return pa.table(columns)


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _current_versions(session: Session, visit_ids: list[str]) -> dict[str, tuple[int, int]]:
    """``visit_id -> (row id, version)`` of the current stored version of the given visits."""
    found: dict[str, tuple[int, int]] = {}
    for part in _chunks(visit_ids):
        rows = session.execute(select(Visit.visit_id, Visit.id, Visit.version)
                               .where(Visit.visit_id.in_(part), Visit.is_current))
        found.update({v: (i, n) for v, i, n in rows})
    return found


def _already_stored(file_name: str, visits: pd.DataFrame, keep: np.ndarray,
                    interviews: pd.DataFrame, keep_i: np.ndarray,
                    rows: np.ndarray | None, rows_i: np.ndarray | None) -> list[dict]:
    """Rejected cells for visits already in the store and for their interviews."""
    out = []
    for pos in np.flatnonzero(~keep):
        visit_id = visits["visit_id"].iloc[pos]
        out.append(dict(
            source=file_name, table="visits", row=None if rows is None else int(rows[pos]),
            column="visit_id", value=visit_id, reason=ALREADY_STORED, visit_id=visit_id,
            worker_ref=None,
            message=f"Visit '{visit_id}' is already stored; upload it as a correction to "
                    "replace it (the earlier version is kept in the history)."))
    for pos in np.flatnonzero(~keep_i):
        visit_id = interviews["visit_id"].iloc[pos]
        out.append(dict(
            source=file_name, table="interviews",
            row=None if rows_i is None else int(rows_i[pos]), column="visit_id",
            value=visit_id, reason=VISIT_REJECTED, visit_id=visit_id,
            worker_ref=interviews["worker_ref"].iloc[pos] if "worker_ref" in interviews else None,
            message=f"The interview's visit '{visit_id}' was rejected because it is already "
                    "stored."))
    return out


def _screening_rows(screening: Screening, row_ids: dict[str, int]) -> pa.Table:
    """Rows for ``screenings``: the follow-up list's rows of the visits just stored."""
    ranked = screening.follow_up
    ranked = ranked[ranked["visit_id"].isin(list(row_ids))]
    version = screening.model.info.get("version") if screening.model is not None else None
    tier = ranked["tier"].astype(object)
    n = len(ranked)
    return pa.table({
        "visit_row_id": pa.array(ranked["visit_id"].astype(object).map(row_ids), pa.int64()),
        "tier": pa.array(tier, pa.string()),
        "tier_rank": pa.array(tier.map(TIERS.index), pa.int64()),
        "risk_score": _arrow(ranked["risk_score"], pa.float64()),
        "rule_score": _arrow(ranked["rule_score"], pa.float64()),
        "icls_workers": _arrow(ranked["icls_workers"], pa.int64()),
        "icls_unknown_workers": _arrow(ranked["icls_unknown_workers"], pa.int64()),
        "indicators": _arrow(ranked["indicators"].fillna(""), pa.string()),
        "reasons": _arrow(ranked["reasons"].fillna(""), pa.string()),
        "exploration": pa.array(ranked["exploration"].astype(bool), pa.bool_()),
        "selected": pa.array(ranked["selected"].astype(bool), pa.bool_()),
        "selection_probability": _arrow(ranked["selection_probability"], pa.float64()),
        "model_version": pa.array([version] * n, pa.string()),
        "screened_at": pa.array([dt.datetime.now(dt.UTC)] * n, pa.timestamp("us", tz="UTC")),
        "is_latest": pa.array([True] * n, pa.bool_()),
    })  # fmt: skip


def _check_matches(loaded: LoadResult, screening: Screening) -> None:
    listed = set(screening.follow_up["visit_id"].astype(object))
    missing = [v for v in loaded.visits["visit_id"] if v not in listed]
    if missing or len(listed) != len(loaded.visits):
        raise StoreError(
            f"The screening does not match the upload: it has {len(listed)} visits and the "
            f"upload {len(loaded.visits)}"
            + (f", and visit '{missing[0]}' was not screened." if missing else "."))


def _check_owner(session: Session, user: User | int | None,
                 stored: dict[str, tuple[int, int]]) -> None:
    """Refuse a correction that would replace a visit uploaded by someone else: the user must
    have uploaded a version of each visit replaced (an admin may replace any; so may a
    correction without a user, from the command line)."""
    user_id = user_id_of(user)
    if user_id is None:
        return
    role = user.role if isinstance(user, User) else session.scalar(
        select(User.role).where(User.id == user_id))
    if role == "admin":
        return
    for part in _chunks(sorted(stored)):
        mine = set(session.scalars(
            select(Visit.visit_id).join(Upload, Upload.id == Visit.upload_id)
            .where(Visit.visit_id.in_(part), Upload.user_id == user_id).distinct()))
        others = sorted(set(part) - mine)
        if others:
            more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
            raise ForbiddenError(
                f"Visit '{others[0]}'{more} was uploaded by another inspector: a correction may "
                "replace only visits that you uploaded (or an admin). Nothing was stored.")


def receipt_of(session: Session, upload: Upload, *, repeat: bool = False) -> Receipt:
    """Rebuild an upload's receipt from the store.

    Parameters
    ----------
    session : Session
    upload : Upload
    repeat : bool
        Mark the receipt as returned for the same file uploaded again.

    Returns
    -------
    Receipt
    """
    cells = session.scalars(select(RejectedRow).where(RejectedRow.upload_id == upload.id)
                            .order_by(RejectedRow.id))
    tiers = session.execute(
        select(Visit.visit_id, ScreeningRow.tier)
        .join(ScreeningRow, ScreeningRow.visit_row_id == Visit.id)
        .where(Visit.upload_id == upload.id).order_by(ScreeningRow.id))
    visit_tiers = dict(tiers.all())
    counts = dict.fromkeys(TIERS[::-1], 0)
    for tier in visit_tiers.values():
        counts[tier] += 1
    opened = session.execute(
        select(ReferralCase.visit_id, ReferralCase.case_id)
        .where(ReferralCase.upload_id == upload.id, ReferralCase.version == 1)
        .order_by(ReferralCase.id))
    return Receipt(
        referral_cases=dict(opened.all()),
        upload_id=upload.id, file_name=upload.file_name, sha256=upload.sha256,
        created_at=as_utc(upload.created_at), is_correction=upload.is_correction,
        accepted={"visits": upload.visits_accepted, "interviews": upload.interviews_accepted},
        rejected={"visits": upload.visits_rejected, "interviews": upload.interviews_rejected},
        rejected_rows=[RejectedCell.model_validate(c, from_attributes=True) for c in cells],
        tiers=counts, visit_tiers=visit_tiers, repeat=repeat,
        model_version=(upload.receipt or {}).get("model_version"),
        model_problem=(upload.receipt or {}).get("model_problem"))


def store_upload(bind: Session | Engine, *, user: User | int | None, file_name: str,
                 content: bytes, loaded: LoadResult, screening: Screening,
                 correction: bool = False, first_row: int | None = None,
                 model_problem: str | None = None) -> Receipt:
    """Store a loaded and screened upload in one transaction and return its receipt.

    Parameters
    ----------
    bind : Session or Engine
        With an engine, the upload is committed here; with a session it joins the session's
        transaction and the caller commits.
    user : User or int or None
        Who uploads.
    file_name : str
        The file's name as the user gave it.
    content : bytes
        The file's bytes; their sha256 recognises the same file uploaded again.
    loaded : screening.ingest.loaders.LoadResult
        The validated upload.
    screening : screening.pipeline.Screening
        The screening of ``loaded``'s visits (with the active model, if any).
    correction : bool
        Visits already stored are replaced by a new version (the earlier ones are kept as
        history) instead of being rejected as ``already_stored``.
    first_row : int, optional
        Row number of the first data row, for rejected rows the store adds; by default 2 for
        CSV and XLSX (below the header) and 1 for JSON and Parquet.
    model_problem : str, optional
        Why the active model could not screen the upload (it was screened by the rules alone);
        kept with the receipt.

    Returns
    -------
    Receipt
        For a file stored before (same sha256), the first upload's receipt with
        ``repeat=True``; nothing is stored then.

    Raises
    ------
    StoreError
        The screening does not cover exactly the upload's visits.
    ForbiddenError
        A correction would replace a visit that another user uploaded (names the visit).
    ConflictError
        A correction whose bytes were stored before (it would change nothing).
    """
    options = dict(user=user, file_name=file_name, content=content, loaded=loaded,
                   screening=screening, correction=correction, first_row=first_row,
                   model_problem=model_problem)
    if isinstance(bind, Session):
        return _store(bind, **options)  # type: ignore[arg-type]
    try:
        return _store(bind, **options)  # type: ignore[arg-type]
    except IntegrityError:
        # A concurrent upload committed the same file or the same new visit first (the unique
        # sha256 and current-visit indexes refused ours): once more, it now sees them.
        return _store(bind, **options)  # type: ignore[arg-type]


def _store(bind: Session | Engine, *, user: User | int | None, file_name: str, content: bytes,
           loaded: LoadResult, screening: Screening, correction: bool,
           first_row: int | None, model_problem: str | None) -> Receipt:
    digest = sha256_of(content)
    first_row = _first_row(file_name) if first_row is None else first_row
    with transaction(bind) as session:
        earlier = session.scalar(select(Upload).where(Upload.sha256 == digest))
        if earlier is not None and correction:
            raise ConflictError(
                f"This correction is the same file as upload {earlier.id} "
                f"('{earlier.file_name}', {as_utc(earlier.created_at):%Y-%m-%d %H:%M} UTC), "
                "so it changes nothing and nothing was replaced; correct the rows and upload "
                "the changed file.")
        if earlier is not None:
            return receipt_of(session, earlier, repeat=True)
        _check_matches(loaded, screening)
        upload = Upload(user_id=user_id_of(user), file_name=file_name, sha256=digest,
                        is_correction=correction, receipt={})
        session.add(upload)
        session.flush()

        visits, interviews = loaded.visits, loaded.interviews
        stored = _current_versions(session, visits["visit_id"].astype(object).tolist())
        keep = np.ones(len(visits), dtype=bool)
        keep_i = np.ones(len(interviews), dtype=bool)
        if stored and not correction:
            keep = ~visits["visit_id"].isin(list(stored)).to_numpy()
            keep_i = ~interviews["visit_id"].isin(list(stored)).to_numpy()
        elif stored:
            _check_owner(session, user, stored)
            old = [row_id for row_id, _ in stored.values()]
            for part in _chunks(old):
                session.execute(update(Visit).where(Visit.id.in_(part)).values(is_current=False))
        added = _already_stored(file_name, visits, keep, interviews, keep_i,
                                row_numbers(loaded, "visits", first_row),
                                row_numbers(loaded, "interviews", first_row))
        new_visits, new_interviews = visits[keep], interviews[keep_i]

        versions = [stored[v][1] + 1 if v in stored else 1
                    for v in new_visits["visit_id"].astype(object)]
        insert_arrow(session, Visit.__table__, records(
            new_visits, VISIT_COLUMNS, upload_id=upload.id, is_current=True,
            version=pa.array(versions, pa.int64())))
        row_ids = dict(session.execute(select(Visit.visit_id, Visit.id)
                                       .where(Visit.upload_id == upload.id)).all())
        if len(new_interviews):
            parents = new_interviews["visit_id"].astype(object).map(row_ids)
            insert_arrow(session, Interview.__table__, records(
                new_interviews, INTERVIEW_COLUMNS,
                visit_row_id=pa.array(parents, pa.int64())))
        cells = loaded.rejected.astype(object).where(loaded.rejected.notna(), None)
        cells = cells.to_dict("records") + added
        for cell in cells:
            cell.update(upload_id=upload.id, row=None if cell["row"] is None else int(cell["row"]),
                        value=None if cell["value"] is None else visible(str(cell["value"])),
                        column=visible(str(cell["column"])),
                        **{k: None if cell.get(k) is None else visible(str(cell[k]))
                           for k in ("visit_id", "worker_ref")})
        if cells:
            session.execute(insert(RejectedRow.__table__), cells)
        if row_ids:
            insert_arrow(session, ScreeningRow.__table__, _screening_rows(screening, row_ids))
            refresh_upload(session, upload.id)

        upload.visits_accepted = len(new_visits)
        upload.interviews_accepted = len(new_interviews)
        upload.visits_rejected = loaded.rows_read.get("visits", 0) - len(new_visits)
        upload.interviews_rejected = loaded.rows_read.get("interviews", 0) - len(new_interviews)
        session.flush()
        receipt = receipt_of(session, upload)
        receipt.model_version = (screening.model.info.get("version")
                                 if screening.model is not None else None)
        receipt.model_problem = model_problem
        upload.receipt = receipt.model_dump(mode="json", include={
            "accepted", "rejected", "tiers", "model_version", "model_problem"})
        audit(session, user, "upload", "upload", upload.id, file_name=file_name, sha256=digest,
              correction=correction, accepted=receipt.accepted, rejected=receipt.rejected,
              replaced=len(stored) if correction else 0)
    return receipt


__all__ = ["ALREADY_STORED", "Receipt", "RejectedCell", "receipt_of", "records", "row_numbers",
           "sha256_of", "store_upload"]
