"""Issue 14: the follow-up list as a table (``follow_up_entries``, one entry per current visit)
with indexes that cover the list's filters (region, sector, tier, review status, period, who
uploaded), its sorts and its search, filled from the visits already stored. See
``screening/store/entries.py``.

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEYS = ("key_group", "key_risk", "key_tier", "key_rule", "visit_row_id")
SEARCH = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
KEYED = {
    "ix_follow_up_priority": (),
    "ix_follow_up_region": ("region",),
    "ix_follow_up_sector": ("sector",),
    "ix_follow_up_tier": ("tier_rank",),
    "ix_follow_up_status": ("review_status",),
    "ix_follow_up_uploaded_by": ("uploaded_by",),
    "ix_follow_up_site": ("site_id",),
    "ix_follow_up_site_lead": ("site_lead",),
}
OTHER = {
    "ix_follow_up_risk": ("key_risk", "key_tier", "key_rule", "visit_row_id"),
    "ix_follow_up_date": ("visit_date", "visit_row_id"),
    "ix_follow_up_visit_key": ("visit_key",),
    "ix_follow_up_site_key": ("site_key",),
    "ix_follow_up_employer_key": ("employer_key",),
}
FILL = """
INSERT INTO follow_up_entries (visit_row_id, visit_id, screening_id, site_id, region, sector,
    visit_date, tier_rank, key_group, key_risk, key_tier, key_rule, review_status, uploaded_by,
    visit_key, site_key, employer_key, site_lead, site_visits)
SELECT v.id, v.visit_id, s.id, v.site_id, v.region, v.sector, v.visit_date, s.tier_rank,
    CASE WHEN s.tier = 'urgent' THEN 0 ELSE 1 END,
    CASE WHEN s.risk_score IS NULL THEN 1.0 ELSE -s.risk_score END,
    -s.tier_rank,
    CASE WHEN s.risk_score IS NULL THEN -s.rule_score ELSE 0.0 END,
    COALESCE(r.status, 'none'), u.user_id, lower(v.visit_id), lower(v.site_id),
    lower(v.employer_id), false, 1
FROM visits v
JOIN screenings s ON s.visit_row_id = v.id AND s.is_latest
JOIN uploads u ON u.id = v.upload_id
LEFT JOIN (SELECT visit_id, max(id) AS rid FROM reviews GROUP BY visit_id) lr
    ON lr.visit_id = v.visit_id
LEFT JOIN reviews r ON r.id = lr.rid
WHERE v.is_current
"""
SITES = """
UPDATE follow_up_entries SET
    site_lead = (visit_row_id = (
        SELECT e2.visit_row_id FROM follow_up_entries e2
        WHERE e2.site_id = follow_up_entries.site_id
        ORDER BY e2.key_group, e2.key_risk, e2.key_tier, e2.key_rule, e2.visit_row_id
        LIMIT 1)),
    site_visits = (SELECT count(*) FROM follow_up_entries e3
                   WHERE e3.site_id = follow_up_entries.site_id)
"""


def upgrade() -> None:
    op.create_table(
        "follow_up_entries",
        sa.Column("visit_row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("visit_id", sa.Text(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("sector", sa.String(length=40), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("tier_rank", sa.Integer(), nullable=False),
        sa.Column("key_group", sa.Integer(), nullable=False),
        sa.Column("key_risk", sa.Float(), nullable=False),
        sa.Column("key_tier", sa.Integer(), nullable=False),
        sa.Column("key_rule", sa.Float(), nullable=False),
        sa.Column("review_status", sa.String(length=20), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("visit_key", SEARCH, nullable=False),
        sa.Column("site_key", SEARCH, nullable=False),
        sa.Column("employer_key", SEARCH, nullable=True),
        sa.Column("site_lead", sa.Boolean(), nullable=False),
        sa.Column("site_visits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["visit_row_id"], ["visits.id"]),
        sa.ForeignKeyConstraint(["screening_id"], ["screenings.id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("visit_row_id"),
        sa.UniqueConstraint("visit_id"),
    )
    op.execute(FILL)
    op.execute(SITES)
    for name, leading in KEYED.items():
        op.create_index(name, "follow_up_entries", [*leading, *KEYS])
    for name, columns in OTHER.items():
        op.create_index(name, "follow_up_entries", list(columns))


def downgrade() -> None:
    for name in (*KEYED, *OTHER):
        op.drop_index(name, table_name="follow_up_entries")
    op.drop_table("follow_up_entries")
