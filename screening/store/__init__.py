"""The store: uploads with receipts, visits, screenings, reviews, users and the audit log.

SQLAlchemy 2 tables with Alembic migrations, on a SQLite file by default (WAL mode) or on
PostgreSQL when ``SCREENING_DATABASE_URL`` says so. Typical use::

    from screening.settings import load_settings
    from screening.store import migrate, store_upload
    engine = migrate(load_settings())
    receipt = store_upload(engine, user=user, file_name="visits.csv", content=data,
                           loaded=loaded, screening=screening)
"""

from screening.store.accounts import audit, authenticate, create_user, issue_token, revoke_token
from screening.store.engine import (
    StoreError,
    create_engine_for,
    migrate,
    transaction,
)
from screening.store.entries import rebuild
from screening.store.listing import ListFilters, ListPage, list_page
from screening.store.queries import NO_REVIEW, follow_up_frame, visit_detail
from screening.store.receipts import Receipt, RejectedCell, receipt_of
from screening.store.reviews import UnknownVisitError, outcomes_frame, record_review
from screening.store.streaming import iter_list
from screening.store.tables import (
    APPEND_ONLY_MESSAGE,
    ROLES,
    AppendOnlyError,
    AuditEntry,
    Review,
    Upload,
    User,
)
from screening.store.uploads import ALREADY_STORED, store_upload

__all__ = [
    "ALREADY_STORED",
    "APPEND_ONLY_MESSAGE",
    "NO_REVIEW",
    "ROLES",
    "AppendOnlyError",
    "AuditEntry",
    "ListFilters",
    "ListPage",
    "Receipt",
    "RejectedCell",
    "Review",
    "StoreError",
    "UnknownVisitError",
    "Upload",
    "User",
    "audit",
    "authenticate",
    "create_engine_for",
    "create_user",
    "follow_up_frame",
    "issue_token",
    "iter_list",
    "list_page",
    "migrate",
    "outcomes_frame",
    "rebuild",
    "receipt_of",
    "record_review",
    "revoke_token",
    "store_upload",
    "transaction",
    "visit_detail",
]
