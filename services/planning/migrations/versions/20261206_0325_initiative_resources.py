"""Resources per initiative and reporting period (budget in euro, staff in FTE)

Revision ID: 0325
Revises: 0324
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0325"
down_revision: str | None = "0324"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "initiative_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("budget_planned", sa.Numeric(14, 2), nullable=False),
        sa.Column("budget_committed", sa.Numeric(14, 2), nullable=False),
        sa.Column("fte_planned", sa.Numeric(7, 2), nullable=False),
        sa.Column("fte_committed", sa.Numeric(7, 2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_initiative_resources_initiative_id_initiatives"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["period_id"], ["reporting_periods.id"],
                                name=op.f("fk_initiative_resources_period_id_reporting_periods"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_resources")),
        sa.UniqueConstraint("initiative_id", "period_id",
                            name=op.f("uq_initiative_resources_initiative_id_period_id")),
    )
    op.create_index(op.f("ix_initiative_resources_initiative_id"), "initiative_resources",
                    ["initiative_id"])
    op.create_index(op.f("ix_initiative_resources_period_id"), "initiative_resources",
                    ["period_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_initiative_resources_period_id"), table_name="initiative_resources")
    op.drop_index(op.f("ix_initiative_resources_initiative_id"), table_name="initiative_resources")
    op.drop_table("initiative_resources")
