"""Paper intake of damage reports (channel, received_on), expert-report excess approval,
interest payments with their basis; rule-set data: legal sources of the regimes, the 2016
regime's start and the working values of the new rules.

Revision ID: 0320
Revises: 0300
Create Date: 2026-12-06
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0320"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies (this migration must not change when the code changes).
LEGAL_BASIS_2016 = {
    "instrument": "Decreet van 3 juni 2016 betreffende de tegemoetkoming voor schade, aangericht "
                  "door algemene rampen in het Vlaamse Gewest",
    "gazette": "BS 23 juni 2016, numac 2016036021",
    "implementing_order": "BVR 23 december 2016 (BS 13 februari 2017, numac 2017010479)",
    "applies_to_events_from": "2017-01-01",
    "verified": False,
    "note": "start date not verified against the decree's entry-into-force article; the "
            "Flemish Government still recognised events of 2016 under the federal law of "
            "12 July 1976 (e.g. BVR 7 October 2016 for 27 May-26 June 2016). Events from "
            "1 July 2014 to the start fall under that law (not modelled in a rule set).",
}
LEGAL_BASIS_2019 = {
    "instrument": "Decreet van 5 april 2019 houdende de tegemoetkoming in de schade die "
                  "aangericht is door rampen in het Vlaamse Gewest",
    "implementing_order": "BVR 30 oktober 2020 tot uitvoering van het decreet van 5 april 2019",
    "applies_to_events_from": "2020-01-01",
    "verified": True,
    "note": "Codex Vlaanderen gives articles 1 and 2 as in force from 01/01/2020; the "
            "phenomena are those of article 2, 2 and 3.",
}
WORKING = {"expert_excess_ratio": "2.0", "payment_approval_threshold": "25000.00",
           "working_values": ["brackets", "phase_norms_days", "norm_warning_days",
                              "expert_excess_ratio", "payment_approval_threshold",
                              "recognition_norms_days"],
           "recognition_norms_days": {"reporting": 60, "investigation": 60,
                                      "awaiting_advice": 60, "assessed": 30,
                                      "submitted_to_government": 60, "recognised": 30}}


def upgrade() -> None:
    op.add_column("damage_reports", sa.Column("channel", sa.String(10), nullable=False,
                                              server_default="online"))
    op.add_column("damage_reports", sa.Column("received_on", sa.Date()))
    op.add_column("expert_reports", sa.Column("excess_reason", sa.Text()))
    op.add_column("expert_reports", sa.Column("excess_approved_by", sa.String(200)))
    op.add_column("expert_reports", sa.Column("excess_approved_at", sa.DateTime(timezone=True)))
    op.add_column("payments", sa.Column("interest_basis", sa.String(20)))
    for regime, basis in (("regime_2016", LEGAL_BASIS_2016), ("regime_2019", LEGAL_BASIS_2019)):
        op.execute(sa.text(
            "UPDATE rule_sets SET content = content || CAST(:extra AS jsonb) "
            "WHERE regime = :regime AND created_by = 'migration'"
        ).bindparams(regime=regime, extra=json.dumps({**WORKING, "legal_basis": basis})))
    op.execute("UPDATE rule_sets SET applies_from = DATE '2017-01-01' "
               "WHERE regime = 'regime_2016' AND created_by = 'migration' AND version = 1")


def downgrade() -> None:
    op.execute("UPDATE rule_sets SET applies_from = DATE '2000-01-01' "
               "WHERE regime = 'regime_2016' AND created_by = 'migration' AND version = 1")
    op.execute("UPDATE rule_sets SET content = content - 'legal_basis' - 'expert_excess_ratio' "
               "- 'payment_approval_threshold' - 'working_values' - 'recognition_norms_days' "
               "WHERE created_by = 'migration'")
    op.drop_column("payments", "interest_basis")
    op.drop_column("expert_reports", "excess_approved_at")
    op.drop_column("expert_reports", "excess_approved_by")
    op.drop_column("expert_reports", "excess_reason")
    op.drop_column("damage_reports", "received_on")
    op.drop_column("damage_reports", "channel")
