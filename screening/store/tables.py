"""The store's tables as SQLAlchemy 2 declarative classes, and the audit log's append-only guard.

The migration scripts in ``screening/store/migrations/versions`` create exactly these tables
(a test compares them); change both together, in a new migration.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, ORMExecuteState, Session, mapped_column

from indicators import TIER_ORDER
from screening.errors import AppendOnlyError
from screening.ingest.records import INTERVIEW_COLUMNS, OUTCOMES, VISIT_COLUMNS, Kind
from screening.vocabulary import CHANNELS, RECIPIENTS, REFERRAL_STATUSES, REVIEW_STATUSES, ROLES

TIERS: tuple[str, ...] = TIER_ORDER
"""Tiers in rising order of urgency; ``screenings.tier_rank`` is the position in this tuple."""


def utcnow() -> dt.datetime:
    """The current time in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    """Declarative base of every store table."""

    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON,
                           dt.datetime: DateTime(timezone=True)}


class User(Base):
    """A person who uses the service, with one role."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_users_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """The argon2id hash of the user's password for the web pages (None: tokens only)."""


class ApiToken(Base):
    """An API token: only its sha256 is stored, with a short prefix to recognise it by."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class WebSession(Base):
    """A signed-in web session, kept in the store: the cookie holds only a random secret whose
    sha256 is ``id``. Signing out ends it (``ended_at``); so does revoking the token it was
    opened with, or deactivating the user, at once."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]


class Upload(Base):
    """One uploaded file: who, when, its sha256 and what was accepted and rejected.

    ``visits_accepted`` counts the visit rows stored (new visits and corrected ones);
    ``visits_corrected`` those of them that replaced a stored version; ``visits_unchanged`` the
    rows identical to the stored current version (neither stored again nor rejected). Rows read
    = accepted + unchanged + rejected, per table.
    """

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    visits_accepted: Mapped[int] = mapped_column(default=0)
    visits_rejected: Mapped[int] = mapped_column(default=0)
    interviews_accepted: Mapped[int] = mapped_column(default=0)
    interviews_rejected: Mapped[int] = mapped_column(default=0)
    is_correction: Mapped[bool] = mapped_column(default=False)
    receipt: Mapped[dict[str, Any]] = mapped_column(default=dict)
    visits_unchanged: Mapped[int] = mapped_column(default=0)
    interviews_unchanged: Mapped[int] = mapped_column(default=0)
    visits_corrected: Mapped[int] = mapped_column(default=0)
    interviews_corrected: Mapped[int] = mapped_column(default=0)


class KeptFile(Base):
    """The bytes of an uploaded file, kept for a while so that its uploader can download it
    back with the rejected cells marked (``upload_errors``).

    Kept only for a CSV or XLSX upload with rejected rows, by a signed-in user, until
    ``kept_until`` (``SCREENING_KEEP_UPLOADED_FILES_DAYS``) or until the uploader deletes it;
    readable by the uploader and an admin only. ``part`` is ``visits`` (the first file) or
    ``interviews`` (a separate interviews file).
    """

    __tablename__ = "upload_files"
    __table_args__ = (UniqueConstraint("upload_id", "part", name="uq_upload_files_part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)
    part: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kept_until: Mapped[dt.datetime] = mapped_column(index=True)


_SQL_TYPES = {Kind.TEXT: Text, Kind.CHOICE: String(40), Kind.INT: Integer, Kind.NUMBER: Float,
              Kind.BOOL: Boolean, Kind.DATE: Date}  # fmt: skip


def _upload_columns(specs: list) -> dict[str, Any]:
    """One column per upload-format column, nullable exactly where the contract allows unknown."""
    out = {}
    for spec in specs:
        if spec.name == "visit_id":
            continue
        out[spec.name] = mapped_column(_SQL_TYPES[spec.kind], nullable=not spec.required)
    return out


class Visit(Base):
    """One version of a stored visit; a correction adds a version and keeps the earlier ones."""

    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("visit_id", "version", name="uq_visits_visit_id_version"),
        Index("ix_visits_site_id", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)
    visit_id: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    extra: Mapped[dict[str, Any] | None]
    locals().update(_upload_columns(VISIT_COLUMNS))


# At most one current version per visit_id, whatever the writers do concurrently.
Index("ix_visits_current", Visit.visit_id, unique=True,
      sqlite_where=text("is_current"), postgresql_where=text("is_current"))


class Interview(Base):
    """One interviewed worker of one visit version. ``sex`` is kept, never used as a feature."""

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_row_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    visit_id: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None]
    locals().update(_upload_columns(INTERVIEW_COLUMNS))


class RejectedRow(Base):
    """One failing cell of an upload (the rejected table, as the loaders report it)."""

    __tablename__ = "rejected_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    table: Mapped[str] = mapped_column(String(40))
    row: Mapped[int | None]
    column: Mapped[str] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    visit_id: Mapped[str | None] = mapped_column(Text)
    worker_ref: Mapped[str | None] = mapped_column(Text)


class ScreeningRow(Base):
    """The screening of one visit version by the rules and, optionally, a model version.

    A visit version may be screened again (another model version); ``is_latest`` marks the
    screening the follow-up list uses, and at most one per visit version has it (an index
    enforces this): whoever adds a screening first clears the flag of the earlier one.
    """

    __tablename__ = "screenings"
    __table_args__ = (CheckConstraint(_in("tier", TIERS), name="ck_screenings_tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_row_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    model_version: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(10))
    tier_rank: Mapped[int]
    risk_score: Mapped[float | None]
    rule_score: Mapped[float]
    icls_workers: Mapped[int | None]
    icls_unknown_workers: Mapped[int | None]
    indicators: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    exploration: Mapped[bool] = mapped_column(default=False)
    selected: Mapped[bool] = mapped_column(default=False)
    selection_probability: Mapped[float | None]
    screened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    is_latest: Mapped[bool] = mapped_column(default=True)


Index("ix_screenings_latest", ScreeningRow.visit_row_id, unique=True,
      sqlite_where=text("is_latest"), postgresql_where=text("is_latest"))


class Review(Base):
    """One event of a follow-up review: scheduled, visited or decided (with an outcome)."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint(_in("status", REVIEW_STATUSES), name="ck_reviews_status"),
        CheckConstraint("outcome IS NULL OR " + _in("outcome", OUTCOMES),
                        name="ck_reviews_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[str] = mapped_column(Text, index=True)
    status: Mapped[str] = mapped_column(String(20))
    scheduled_for: Mapped[dt.date | None]
    inspector: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[dt.date | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReferralCase(Base):
    """One version of a referral case: the duty to refer a probable victim, with its clock.

    A case is opened (version 1, ``open``) when an urgent visit is stored. Recording what was
    done adds a version (``referred`` or ``not_referred``) that supersedes the current one; no
    version is ever deleted, so the history stays. ``case_id`` is the id of version 1 and names
    the case in every version; at most one version per case is current (an index enforces it).
    """

    __tablename__ = "referral_cases"
    __table_args__ = (
        CheckConstraint(_in("status", REFERRAL_STATUSES), name="ck_referral_cases_status"),
        CheckConstraint("channel IS NULL OR " + _in("channel", CHANNELS),
                        name="ck_referral_cases_channel"),
        CheckConstraint("recipient IS NULL OR " + _in("recipient", RECIPIENTS),
                        name="ck_referral_cases_recipient"),
        CheckConstraint("status != 'not_referred' OR reason IS NOT NULL",
                        name="ck_referral_cases_reason"),
        UniqueConstraint("case_id", "version", name="uq_referral_cases_case_id_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    visit_id: Mapped[str] = mapped_column(Text, index=True)
    visit_row_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)
    detected_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    workers: Mapped[list[str]] = mapped_column(JSON, default=list)
    indicators: Mapped[str] = mapped_column(Text, default="")
    suggested: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="open")
    referred_at: Mapped[dt.datetime | None]
    recipient: Mapped[str | None] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


Index("ix_referral_cases_current", ReferralCase.case_id, unique=True,
      sqlite_where=text("is_current"), postgresql_where=text("is_current"))


class OutboxEvent(Base):
    """A notification waiting to be delivered (or delivered): a case opened or overdue.

    Written in the same transaction as what it reports, so no event is lost; the notifier
    delivers it and records each attempt. ``key`` (e.g. ``case_overdue:12``) makes each event
    happen once.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[dt.datetime | None]
    delivered_to: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)


class ServiceSetting(Base):
    """A setting chosen at run time and shared by every process of the service (for example
    the active model, which an admin chooses on the model page)."""

    __tablename__ = "service_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AuditEntry(Base):
    """One line of the append-only audit log: who did what to which object, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str | None] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


APPEND_ONLY_MESSAGE = "The audit log is append-only: its entries cannot be updated or deleted."


def _refuse(*_: object) -> None:
    raise AppendOnlyError(APPEND_ONLY_MESSAGE)


event.listen(AuditEntry, "before_update", _refuse)
event.listen(AuditEntry, "before_delete", _refuse)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    """Refuse ``session.execute(update(AuditEntry))`` and ``delete(AuditEntry)`` too."""
    if (state.is_update or state.is_delete) and any(
        m.class_ is AuditEntry for m in state.all_mappers
    ):
        _refuse()


__all__ = ["APPEND_ONLY_MESSAGE", "ROLES", "REVIEW_STATUSES", "TIERS", "ApiToken",
           "AppendOnlyError", "AuditEntry", "Base", "Interview", "KeptFile", "OutboxEvent",
           "ReferralCase", "RejectedRow", "Review", "ScreeningRow", "ServiceSetting", "Upload",
           "User", "Visit", "WebSession", "utcnow"]
