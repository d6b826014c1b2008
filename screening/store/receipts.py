"""An upload's receipt: what it brought (new, corrected, unchanged and rejected rows, the tiers,
the urgent visits, the kept files), built from the store so that it can be opened again."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pydantic import BaseModel, computed_field
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.ingest.validation import REJECTED_COLUMNS
from screening.store.tables import (
    TIERS,
    KeptFile,
    ReferralCase,
    RejectedRow,
    ScreeningRow,
    Upload,
    Visit,
)


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
        Rows per table (``visits``, ``interviews``): stored (new or corrected), rejected.
    new, corrected, unchanged : dict of str to int
        Rows per table: of a visit not stored before; replacing a stored version (a
        correction); identical to the stored version (not stored again, not rejected). ``new``
        + ``corrected`` = ``accepted``; rows read = ``accepted`` + ``unchanged`` +
        ``rejected``.
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
    kept_files : dict of str to str
        The uploaded files kept so that the uploader can download them with the errors marked
        (``visits`` / ``interviews`` -> file name); empty when none is kept.
    kept_until : datetime or None
        When the kept files are deleted.
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
    new: dict[str, int] = {}
    corrected: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    kept_files: dict[str, str] = {}
    kept_until: dt.datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def urgent_visits(self) -> list[str]:
        """The visits stored by this upload (new or corrected) whose tier is urgent."""
        return [v for v, tier in self.visit_tiers.items() if tier == "urgent"]

    def rejected_frame(self) -> pd.DataFrame:
        """The rejected cells as a frame with the columns of the loaders' rejected table."""
        return pd.DataFrame([c.model_dump() for c in self.rejected_rows],
                            columns=list(REJECTED_COLUMNS))


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored time as timezone-aware UTC (SQLite gives it back without a timezone)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


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
    kept = session.execute(select(KeptFile.part, KeptFile.file_name, KeptFile.kept_until)
                           .where(KeptFile.upload_id == upload.id).order_by(KeptFile.id)).all()
    corrected = {"visits": upload.visits_corrected, "interviews": upload.interviews_corrected}
    return Receipt(
        new={"visits": upload.visits_accepted - upload.visits_corrected,
             "interviews": upload.interviews_accepted - upload.interviews_corrected},
        corrected=corrected,
        unchanged={"visits": upload.visits_unchanged, "interviews": upload.interviews_unchanged},
        kept_files={part: name for part, name, _ in kept},
        kept_until=as_utc(kept[0][2]) if kept else None,
        referral_cases=dict(opened.all()),
        upload_id=upload.id, file_name=upload.file_name, sha256=upload.sha256,
        created_at=as_utc(upload.created_at), is_correction=upload.is_correction,
        accepted={"visits": upload.visits_accepted, "interviews": upload.interviews_accepted},
        rejected={"visits": upload.visits_rejected, "interviews": upload.interviews_rejected},
        rejected_rows=[RejectedCell.model_validate(c, from_attributes=True) for c in cells],
        tiers=counts, visit_tiers=visit_tiers, repeat=repeat,
        model_version=(upload.receipt or {}).get("model_version"),
        model_problem=(upload.receipt or {}).get("model_problem"))


__all__ = ["Receipt", "RejectedCell", "as_utc", "receipt_of"]
