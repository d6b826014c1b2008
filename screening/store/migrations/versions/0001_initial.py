"""Initial schema: uploads, visits, interviews, rejected rows, screenings, reviews, users,
API tokens and the append-only audit log (with triggers that refuse UPDATE and DELETE).

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

MESSAGE = "The audit log is append-only: its entries cannot be updated or deleted."

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "role IN ('inspector', 'monitor', 'analyst', 'admin')", name="ck_users_role"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=True),
        sa.Column("object_id", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scheduled_for", sa.Date(), nullable=True),
        sa.Column("inspector", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('forced_labour', 'labour_violation', 'no_violation')",
            name="ck_reviews_outcome",
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'visited', 'decided')", name="ck_reviews_status"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_reviews_visit_id"), "reviews", ["visit_id"], unique=False)
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("visits_accepted", sa.Integer(), nullable=False),
        sa.Column("visits_rejected", sa.Integer(), nullable=False),
        sa.Column("interviews_accepted", sa.Integer(), nullable=False),
        sa.Column("interviews_rejected", sa.Integer(), nullable=False),
        sa.Column("is_correction", sa.Boolean(), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_index(op.f("ix_uploads_user_id"), "uploads", ["user_id"], unique=False)
    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("table", sa.String(length=40), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("column", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_rejected_rows_upload_id"), "rejected_rows", ["upload_id"], unique=False
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("inspector_id", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("sector", sa.String(length=40), nullable=False),
        sa.Column("subsector", sa.Text(), nullable=True),
        sa.Column("employer_id", sa.Text(), nullable=True),
        sa.Column("intermediary_id", sa.Text(), nullable=True),
        sa.Column("intermediary_registered", sa.Boolean(), nullable=True),
        sa.Column("workers_present", sa.Integer(), nullable=False),
        sa.Column("workers_without_contract", sa.Integer(), nullable=False),
        sa.Column("foreign_workers", sa.Integer(), nullable=False),
        sa.Column("foreign_workers_without_permit", sa.Integer(), nullable=False),
        sa.Column("minors_present", sa.Integer(), nullable=False),
        sa.Column("avg_weekly_hours", sa.Float(), nullable=True),
        sa.Column("wage_arrears_months", sa.Float(), nullable=True),
        sa.Column("below_minimum_wage", sa.Boolean(), nullable=True),
        sa.Column("employer_holds_documents", sa.Boolean(), nullable=True),
        sa.Column("recruitment_fees_charged", sa.Boolean(), nullable=True),
        sa.Column("debt_to_employer", sa.Boolean(), nullable=True),
        sa.Column("premises_locked_or_guarded", sa.Boolean(), nullable=True),
        sa.Column("living_on_site", sa.Boolean(), nullable=True),
        sa.Column("accommodation_substandard", sa.Boolean(), nullable=True),
        sa.Column("remote_location", sa.Boolean(), nullable=True),
        sa.Column("threats_reported", sa.Boolean(), nullable=True),
        sa.Column("violence_observed", sa.Boolean(), nullable=True),
        sa.Column("hazardous_work", sa.Boolean(), nullable=True),
        sa.Column("wage_records_available", sa.Boolean(), nullable=True),
        sa.Column("shared_worker_details", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("visit_id", "version", name="uq_visits_visit_id_version"),
    )
    op.create_index(
        "ix_visits_current",
        "visits",
        ["visit_id"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_index("ix_visits_site_id", "visits", ["site_id"], unique=False)
    op.create_index(op.f("ix_visits_upload_id"), "visits", ["upload_id"], unique=False)
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_row_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("worker_ref", sa.Text(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=40), nullable=True),
        sa.Column("foreign", sa.Boolean(), nullable=True),
        sa.Column("has_written_contract", sa.Boolean(), nullable=True),
        sa.Column("holds_own_documents", sa.Boolean(), nullable=True),
        sa.Column("weekly_hours", sa.Float(), nullable=True),
        sa.Column("wage_arrears_months", sa.Float(), nullable=True),
        sa.Column("owes_debt_to_employer", sa.Boolean(), nullable=True),
        sa.Column("paid_recruitment_fee", sa.Boolean(), nullable=True),
        sa.Column("deceived_about_job", sa.Boolean(), nullable=True),
        sa.Column("free_to_leave_job", sa.Boolean(), nullable=True),
        sa.Column("free_to_leave_premises", sa.Boolean(), nullable=True),
        sa.Column("forced_overtime", sa.Boolean(), nullable=True),
        sa.Column("threatened", sa.Boolean(), nullable=True),
        sa.Column("experienced_violence", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_row_id"],
            ["visits.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_interviews_visit_row_id"), "interviews", ["visit_row_id"], unique=False
    )
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_row_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=200), nullable=True),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("tier_rank", sa.Integer(), nullable=False),
        sa.Column("risk_score", sa.Double(), nullable=True),
        sa.Column("rule_score", sa.Double(), nullable=False),
        sa.Column("icls_workers", sa.Integer(), nullable=True),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("exploration", sa.Boolean(), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.Column("selection_probability", sa.Double(), nullable=True),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "tier IN ('low', 'medium', 'high', 'urgent')", name="ck_screenings_tier"
        ),
        sa.ForeignKeyConstraint(
            ["visit_row_id"],
            ["visits.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_screenings_visit_row_id"), "screenings", ["visit_row_id"], unique=False
    )
    op.create_index(
        "ix_screenings_latest",
        "screenings",
        ["visit_row_id"],
        unique=True,
        sqlite_where=sa.text("is_latest"),
        postgresql_where=sa.text("is_latest"),
    )
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_index("ix_screenings_latest", table_name="screenings")
    op.drop_index(op.f("ix_screenings_visit_row_id"), table_name="screenings")
    op.drop_table("screenings")
    op.drop_index(op.f("ix_interviews_visit_row_id"), table_name="interviews")
    op.drop_table("interviews")
    op.drop_index(op.f("ix_visits_upload_id"), table_name="visits")
    op.drop_index("ix_visits_site_id", table_name="visits")
    op.drop_index(
        "ix_visits_current",
        table_name="visits",
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.drop_table("visits")
    op.drop_index(op.f("ix_rejected_rows_upload_id"), table_name="rejected_rows")
    op.drop_table("rejected_rows")
    op.drop_index(op.f("ix_uploads_user_id"), table_name="uploads")
    op.drop_table("uploads")
    op.drop_index(op.f("ix_reviews_visit_id"), table_name="reviews")
    op.drop_table("reviews")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")


def _create_append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on audit_log in the database itself (raw SQL included)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
