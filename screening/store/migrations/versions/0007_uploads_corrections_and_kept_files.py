"""Corrections on the web (issue 12): the counts of rows identical to the stored visits
(unchanged) and of visits corrected, per upload; and the table that keeps an uploaded file for
a while, so that its uploader can download it back with the errors marked.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COUNTS = ("visits_unchanged", "interviews_unchanged", "visits_corrected",
          "interviews_corrected")


def upgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        for name in COUNTS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False,
                                       server_default="0"))
    op.create_table(
        "upload_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kept_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("upload_id", "part", name="uq_upload_files_part"),
    )
    op.create_index("ix_upload_files_upload_id", "upload_files", ["upload_id"])
    op.create_index("ix_upload_files_kept_until", "upload_files", ["kept_until"])


def downgrade() -> None:
    op.drop_index("ix_upload_files_kept_until", table_name="upload_files")
    op.drop_index("ix_upload_files_upload_id", table_name="upload_files")
    op.drop_table("upload_files")
    with op.batch_alter_table("uploads") as batch:
        for name in reversed(COUNTS):
            batch.drop_column(name)
