"""Uploaded files kept for a while, so that their uploader can download them with the errors
marked; and the history of an inspector's uploads.

The files describe workers who may be victims of crime, so they are kept as briefly as the
purpose allows: only a CSV or XLSX upload with rejected rows, sent by a signed-in user, is
kept, in the store beside its upload, until ``kept_until`` (``SCREENING_KEEP_UPLOADED_FILES_DAYS``
after the upload) or until the uploader deletes it, whichever comes first. Only the uploader
and an admin may read it; every keeping, reading, deletion and expiry is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from screening.errors import NotFoundError
from screening.store.accounts import audit, user_id_of
from screening.store.receipts import as_utc
from screening.store.tables import KeptFile, ReferralCase, ScreeningRow, Upload, User, Visit

PARTS = ("visits", "interviews")
"""A kept file is the upload's first file (``visits``, which may hold the interviews too) or
its separate interviews file."""


def keep_files(session: Session, upload_id: int, files: dict[str, tuple[str, bytes]],
               until: dt.datetime, user: User | int | None) -> None:
    """Keep the given files of an upload until ``until`` (in the caller's transaction).

    Parameters
    ----------
    files : dict
        ``part -> (file name, bytes)``, parts from :data:`PARTS`.
    """
    for part, (name, content) in files.items():
        session.add(KeptFile(upload_id=upload_id, part=part, file_name=name, content=content,
                             kept_until=until))
    if files:
        audit(session, user, "file.kept", "upload", upload_id, parts=sorted(files),
              until=until.isoformat())


def owned_upload(session: Session, upload_id: int, user: User) -> Upload:
    """The upload, when ``user`` uploaded it or is an admin.

    Raises
    ------
    NotFoundError
        No such upload, or another user's (the same answer, so nobody learns which ids exist).
    """
    found = session.get(Upload, upload_id) if 1 <= upload_id < 2**31 else None
    if found is None or (user.role != "admin" and found.user_id != user.id):
        raise NotFoundError(f"No upload {upload_id} of yours.")
    return found


def kept_file(session: Session, upload_id: int, part: str, user: User) -> KeptFile:
    """A kept file of an upload for its uploader or an admin; the read is audited.

    Raises
    ------
    NotFoundError
        No such upload of the user's, or the file is not kept (never kept, deleted or expired).
    """
    owned_upload(session, upload_id, user)
    found = session.scalar(select(KeptFile).where(KeptFile.upload_id == upload_id,
                                                  KeptFile.part == part))
    if found is None:
        raise NotFoundError(f"The {part} file of upload {upload_id} is not kept (any more).")
    return found


def forget_files(session: Session, upload_id: int, user: User) -> int:
    """Delete the kept files of an upload now (its uploader or an admin); how many.

    Raises
    ------
    NotFoundError
        No such upload of the user's.
    """
    upload = owned_upload(session, upload_id, user)
    gone = session.execute(delete(KeptFile).where(KeptFile.upload_id == upload.id)).rowcount
    if gone:
        audit(session, user, "file.deleted", "upload", upload_id, files=gone)
    return int(gone or 0)


def purge_expired(session: Session, now: dt.datetime) -> int:
    """Delete every kept file past its time (audited, without a user); how many."""
    expired = session.execute(select(KeptFile.upload_id, KeptFile.part)
                              .where(KeptFile.kept_until <= now)).all()
    if not expired:
        return 0
    session.execute(delete(KeptFile).where(KeptFile.kept_until <= now))
    for upload_id in sorted({u for u, _ in expired}):
        audit(session, None, "file.expired", "upload", upload_id,
              parts=sorted(p for u, p in expired if u == upload_id))
    return len(expired)


@dataclass
class UploadSummary:
    """One line of a user's upload history."""

    upload_id: int
    created_at: dt.datetime
    file_name: str
    is_correction: bool
    counts: dict[str, dict[str, int]]
    """``new``, ``corrected``, ``unchanged``, ``rejected`` -> ``visits``/``interviews``."""
    urgent: list[dict[str, Any]] = field(default_factory=list)
    """The urgent visits it stored: ``visit_id``, ``case_id`` (the current case, if any)."""
    kept: list[str] = field(default_factory=list)
    """Parts whose file is still kept."""
    user_name: str | None = None


def _counts(u: Upload) -> dict[str, dict[str, int]]:
    return {
        "new": {"visits": u.visits_accepted - u.visits_corrected,
                "interviews": u.interviews_accepted - u.interviews_corrected},
        "corrected": {"visits": u.visits_corrected, "interviews": u.interviews_corrected},
        "unchanged": {"visits": u.visits_unchanged, "interviews": u.interviews_unchanged},
        "rejected": {"visits": u.visits_rejected, "interviews": u.interviews_rejected},
    }


def _chunks(values: list, size: int = 2000) -> list[list]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def urgent_visits(session: Session, upload_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The urgent visit versions each upload stored, with the visit's latest referral case."""
    rows: list = []
    for part in _chunks(sorted(upload_ids)):
        rows += session.execute(
            select(Visit.upload_id, Visit.visit_id)
            .join(ScreeningRow, ScreeningRow.visit_row_id == Visit.id)
            .where(Visit.upload_id.in_(part), ScreeningRow.tier == "urgent")
            .order_by(Visit.upload_id, ScreeningRow.id)).all()
    cases: dict[str, int] = {}
    for part in _chunks(sorted({v for _, v in rows})):
        cases.update(session.execute(
            select(ReferralCase.visit_id, func.max(ReferralCase.case_id))
            .where(ReferralCase.visit_id.in_(part)).group_by(ReferralCase.visit_id)).all())
    out: dict[int, list[dict[str, Any]]] = {}
    for upload_id, visit_id in rows:
        listed = out.setdefault(upload_id, [])
        if all(item["visit_id"] != visit_id for item in listed):
            listed.append({"visit_id": visit_id, "case_id": cases.get(visit_id)})
    return out


def upload_history(session: Session, user: User, *, limit: int = 200) -> list[UploadSummary]:
    """The latest uploads a user may see: an inspector their own, an admin everyone's.

    Parameters
    ----------
    session : Session
    user : User
    limit : int
        At most this many, newest first.
    """
    query = select(Upload, User.name).outerjoin(User, User.id == Upload.user_id)
    if user.role != "admin":
        query = query.where(Upload.user_id == user_id_of(user))
    found = session.execute(query.order_by(Upload.id.desc()).limit(limit)).all()
    ids = [u.id for u, _ in found]
    urgent = urgent_visits(session, ids)
    kept: dict[int, list[str]] = {}
    if ids:
        for upload_id, part in session.execute(
                select(KeptFile.upload_id, KeptFile.part).where(KeptFile.upload_id.in_(ids))
                .order_by(KeptFile.id)):
            kept.setdefault(upload_id, []).append(part)
    return [UploadSummary(upload_id=u.id, created_at=as_utc(u.created_at), file_name=u.file_name,
                          is_correction=u.is_correction, counts=_counts(u),
                          urgent=urgent.get(u.id, []), kept=kept.get(u.id, []),
                          user_name=name) for u, name in found]


__all__ = ["PARTS", "UploadSummary", "forget_files", "keep_files", "kept_file", "owned_upload",
           "purge_expired", "upload_history", "urgent_visits"]
