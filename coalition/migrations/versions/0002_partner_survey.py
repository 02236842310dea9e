"""The partner survey's tables (issue 10): rounds, answers, profiles, outside partners, links.

``survey_rounds`` (a round's name, who opened and closed it and when), ``survey_answers`` (one
row per round x respondent x partner: the relation, how often, the six value and trust items,
when and by which channel), ``survey_profiles`` (what a respondent reports of itself: services,
languages and neighborhoods as JSON lists), ``survey_outside`` (organizations outside the
coalition a respondent works with) and ``survey_links`` (only the SHA-256 of each member's link
token). The tables are written out here as they were at this revision, so that the migration
stays what it was when the store's tables change later. A table already there is left alone (a
store made before Alembic gets every table when it is brought up to the baseline).

Revision ID: 0002
Revises: 0001
Created: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ITEMS = (
    "frequency",
    "value_power",
    "value_involvement",
    "value_resources",
    "trust_reliability",
    "trust_mission",
    "trust_openness",
)


def _tables() -> dict[str, list[sa.schema.SchemaItem]]:
    return {
        "survey_rounds": [
            sa.Column("name", sa.String, primary_key=True),
            sa.Column("opened_at", sa.Text, nullable=False),
            sa.Column("opened_by", sa.Text, nullable=False),
            sa.Column("closed_at", sa.Text),
            sa.Column("closed_by", sa.Text),
        ],
        "survey_answers": [
            sa.Column("round", sa.String, primary_key=True),
            sa.Column("respondent", sa.String, primary_key=True),
            sa.Column("partner", sa.String, primary_key=True),
            sa.Column("relation", sa.Integer, nullable=False),
            *(sa.Column(item, sa.Integer) for item in ITEMS),
            sa.Column("answered_at", sa.Text, nullable=False),
            sa.Column("channel", sa.String, nullable=False),
        ],
        "survey_profiles": [
            sa.Column("round", sa.String, primary_key=True),
            sa.Column("respondent", sa.String, primary_key=True),
            sa.Column("services", sa.Text, nullable=False),
            sa.Column("languages", sa.Text, nullable=False),
            sa.Column("neighborhoods", sa.Text, nullable=False),
            sa.Column("answered_at", sa.Text),
            sa.Column("channel", sa.String),
        ],
        "survey_outside": [
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("round", sa.String, nullable=False, index=True),
            sa.Column("respondent", sa.String, nullable=False),
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("relation", sa.Integer),
        ],
        "survey_links": [
            sa.Column("token_sha256", sa.String, primary_key=True),
            sa.Column("round", sa.String, nullable=False),
            sa.Column("org_id", sa.String, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("created_by", sa.Text, nullable=False),
            sa.Index("ix_survey_links_member", "round", "org_id", unique=True),
        ],
    }


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, items in _tables().items():
        if name not in present:
            op.create_table(name, *items)


def downgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name in reversed(list(_tables())):
        if name in present:
            op.drop_table(name)
