"""Referral cases (versions, never deleted) and the outbox of notifications.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE = "A referral case is never deleted: record a new version instead."
STATUSES = "'open', 'referred', 'not_referred'"
CHANNELS = "'phone', 'letter', 'electronic'"
RECIPIENTS = "'special_police', 'migration_service', 'minors_commission', 'other'"


def upgrade() -> None:
    op.create_table(
        "referral_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("visit_id", sa.Text(), nullable=False),
        sa.Column("visit_row_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workers", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("suggested", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipient", sa.String(length=40), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_referral_cases_status"),
        sa.CheckConstraint(f"channel IS NULL OR channel IN ({CHANNELS})",
                           name="ck_referral_cases_channel"),
        sa.CheckConstraint(f"recipient IS NULL OR recipient IN ({RECIPIENTS})",
                           name="ck_referral_cases_recipient"),
        sa.CheckConstraint("status != 'not_referred' OR reason IS NOT NULL",
                           name="ck_referral_cases_reason"),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"]),
        sa.ForeignKeyConstraint(["visit_row_id"], ["visits.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "version", name="uq_referral_cases_case_id_version"),
    )
    op.create_index(op.f("ix_referral_cases_case_id"), "referral_cases", ["case_id"])
    op.create_index(op.f("ix_referral_cases_visit_id"), "referral_cases", ["visit_id"])
    op.create_index(op.f("ix_referral_cases_upload_id"), "referral_cases", ["upload_id"])
    op.create_index(op.f("ix_referral_cases_due_at"), "referral_cases", ["due_at"])
    op.create_index("ix_referral_cases_current", "referral_cases", ["case_id"], unique=True,
                    sqlite_where=sa.text("is_current"), postgresql_where=sa.text("is_current"))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_to", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(op.f("ix_outbox_case_id"), "outbox", ["case_id"])
    op.create_index(op.f("ix_outbox_next_attempt_at"), "outbox", ["next_attempt_at"])
    _refuse_deletes()


def _refuse_deletes() -> None:
    """A referral case's versions are history: the database refuses DELETE (raw SQL too)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER referral_cases_no_delete BEFORE DELETE ON referral_cases "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        return
    op.execute(
        "CREATE FUNCTION referral_cases_keep() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$")
    op.execute("CREATE TRIGGER referral_cases_no_delete BEFORE DELETE ON referral_cases "
               "FOR EACH ROW EXECUTE FUNCTION referral_cases_keep()")
    op.execute("CREATE TRIGGER referral_cases_no_truncate BEFORE TRUNCATE ON referral_cases "
               "FOR EACH STATEMENT EXECUTE FUNCTION referral_cases_keep()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS referral_cases_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS referral_cases_no_delete ON referral_cases")
        op.execute("DROP TRIGGER IF EXISTS referral_cases_no_truncate ON referral_cases")
        op.execute("DROP FUNCTION IF EXISTS referral_cases_keep()")
    op.drop_index(op.f("ix_outbox_next_attempt_at"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_case_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_referral_cases_current", table_name="referral_cases",
                  sqlite_where=sa.text("is_current"), postgresql_where=sa.text("is_current"))
    op.drop_index(op.f("ix_referral_cases_due_at"), table_name="referral_cases")
    op.drop_index(op.f("ix_referral_cases_upload_id"), table_name="referral_cases")
    op.drop_index(op.f("ix_referral_cases_visit_id"), table_name="referral_cases")
    op.drop_index(op.f("ix_referral_cases_case_id"), table_name="referral_cases")
    op.drop_table("referral_cases")
