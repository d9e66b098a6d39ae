"""Seed version 1 of both regimes' rule sets.

The values are frozen here (a migration must not change when the code changes); managers add
later versions through POST /v1/rule-sets.

Brackets: the implementing orders express the compensation as a percentage per band of the
damage after the franchise. The bands below are the project's working values and are data:
replace them by adding a rule-set version, never by editing this migration.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMON = {
    "report_window_days": 60,
    "application_months_after_publication_month": 3,
    "late_months_after_publication": 12,
    "late_months_after_impediment": 3,
    "expert_report_reaction_months": 1,
    "rectification_months": 1,
    "appeal_months": 1,
    "franchise_private": "500.00",
    "franchise_public_domain": "12500.00",
    "phase_norms_days": {"intake": 30, "expertise": 120, "decision": 30, "objection": 45,
                         "payment": 30},
    "norm_warning_days": 14,
    "one_year_at_risk_days": 60,
}

REGIME_2016 = {
    **COMMON,
    "brackets": [
        {"lower": "0.00", "upper": "12500.00", "rate": "0.85"},
        {"lower": "12500.00", "upper": "37500.00", "rate": "0.65"},
        {"lower": "37500.00", "upper": None, "rate": "0.40"},
    ],
    "crop_rules": None,
}

REGIME_2019 = {
    **COMMON,
    "brackets": [
        {"lower": "0.00", "upper": "10000.00", "rate": "0.90"},
        {"lower": "10000.00", "upper": "50000.00", "rate": "0.70"},
        {"lower": "50000.00", "upper": "250000.00", "rate": "0.50"},
        {"lower": "250000.00", "upper": None, "rate": "0.30"},
    ],
    "crop_rules": {
        "transitional_from": "2020-01-01",
        "transitional_to": "2024-12-31",
        "min_insured_share": "0.25",
        "high_rate_above_share": "0.50",
        "high_rate": "0.80",
        "low_rate": "0.40",
        "hail_excluded": True,
    },
}

rule_sets = sa.table(
    "rule_sets",
    sa.column("regime", sa.String), sa.column("version", sa.Integer),
    sa.column("applies_from", sa.Date), sa.column("applies_to", sa.Date),
    sa.column("content", JSONB), sa.column("note", sa.String), sa.column("created_by", sa.String),
)


def upgrade() -> None:
    import datetime as dt

    op.bulk_insert(rule_sets, [
        {"regime": "regime_2016", "version": 1, "applies_from": dt.date(2000, 1, 1),
         "applies_to": dt.date(2019, 12, 31), "content": REGIME_2016,
         "note": "Decreet van 3 juni 2016", "created_by": "migration"},
        {"regime": "regime_2019", "version": 1, "applies_from": dt.date(2020, 1, 1),
         "applies_to": None, "content": REGIME_2019,
         "note": "Decreet van 5 april 2019, uitvoeringsbesluit van 30 oktober 2020",
         "created_by": "migration"},
    ])


def downgrade() -> None:
    op.execute("DELETE FROM rule_sets WHERE created_by = 'migration' AND version = 1")
