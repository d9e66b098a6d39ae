"""Corrections of a dossier's facts (contact, payee), superseded decision versions, the sampled
review of decisions, payee and four-eyes approval on payments.

Revision ID: 0321
Revises: 0320
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0321"
down_revision: str | None = "0320"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPLICATION_COLUMNS = (("contact_email", 200), ("contact_phone", 50), ("payee_kind", 20),
                       ("payee_name", 300), ("payee_iban", 34))


def upgrade() -> None:
    for name, length in APPLICATION_COLUMNS:
        op.add_column("applications", sa.Column(name, sa.String(length)))
    op.add_column("decisions", sa.Column("superseded_at", sa.DateTime(timezone=True)))
    op.add_column("decisions", sa.Column("review_selected", sa.Boolean(), nullable=False,
                                         server_default="false"))
    op.add_column("decisions", sa.Column("review_outcome", sa.String(20)))
    op.add_column("decisions", sa.Column("review_note", sa.Text()))
    op.add_column("decisions", sa.Column("reviewed_by", sa.String(200)))
    op.add_column("decisions", sa.Column("reviewed_at", sa.DateTime(timezone=True)))
    # The share of decisions sampled for review: a working value of the seeded rule sets.
    op.execute("UPDATE rule_sets SET content = content || "
               "'{\"review_sample_share\": \"0.05\"}'::jsonb || jsonb_build_object("
               "'working_values', (content->'working_values') || '[\"review_sample_share\"]'::jsonb)"
               " WHERE created_by = 'migration'")
    op.add_column("payments", sa.Column("payee_name", sa.String(300)))
    op.add_column("payments", sa.Column("payee_iban", sa.String(34)))
    op.add_column("payments", sa.Column("needs_approval", sa.Boolean(), nullable=False,
                                        server_default="false"))
    op.add_column("payments", sa.Column("approved_by", sa.String(200)))
    op.add_column("payments", sa.Column("approved_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    for name in ("approved_at", "approved_by", "needs_approval", "payee_iban", "payee_name"):
        op.drop_column("payments", name)
    for name in ("reviewed_at", "reviewed_by", "review_note", "review_outcome",
                 "review_selected", "superseded_at"):
        op.drop_column("decisions", name)
    op.execute("UPDATE rule_sets SET content = content - 'review_sample_share' "
               "WHERE created_by = 'migration'")
    for name, _ in reversed(APPLICATION_COLUMNS):
        op.drop_column("applications", name)
