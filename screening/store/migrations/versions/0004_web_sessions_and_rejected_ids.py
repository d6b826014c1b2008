"""Server-side web sessions (sign-out and token revocation end them at once) and the record a
rejected row belongs to (``visit_id``, ``worker_ref``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    with op.batch_alter_table("rejected_rows") as batch:
        batch.add_column(sa.Column("visit_id", sa.Text(), nullable=True))
        batch.add_column(sa.Column("worker_ref", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rejected_rows") as batch:
        batch.drop_column("worker_ref")
        batch.drop_column("visit_id")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
