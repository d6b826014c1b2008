"""Issue 9's added columns: the remaining ICLS items per interviewed worker, the worker's
hazardous work, the street-work setting of a visit, and the follow-up list's
``icls_unknown_workers`` (workers whose ICLS result is unknown). Only columns are added.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INTERVIEW_BOOLEANS = (
    "deceived_about_pay", "recruited_through_transaction", "hazardous_without_consent",
    "very_low_or_no_wages", "degrading_living_conditions", "other_employer_than_agreed",
    "longer_than_agreed", "denied_rights_or_threatened_deportation", "hazardous_work",
)


def upgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        for name in INTERVIEW_BOOLEANS:
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=True))
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("street_work_or_begging", sa.Boolean(), nullable=True))
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("icls_unknown_workers", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("icls_unknown_workers")
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("street_work_or_begging")
    with op.batch_alter_table("interviews") as batch:
        for name in INTERVIEW_BOOLEANS:
            batch.drop_column(name)
