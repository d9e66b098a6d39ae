"""Reminders sent per period and team before the reporting deadline

Revision ID: 0322
Revises: 0321
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0322"
down_revision: str | None = "0321"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "period_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=100), nullable=False),
        sa.Column("initiatives", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["reporting_periods.id"],
                                name=op.f("fk_period_reminders_period_id_reporting_periods"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_reminders")),
        sa.UniqueConstraint("period_id", "team", name=op.f("uq_period_reminders_period_id_team")),
    )
    op.create_index(op.f("ix_period_reminders_period_id"), "period_reminders", ["period_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_period_reminders_period_id"), table_name="period_reminders")
    op.drop_table("period_reminders")
