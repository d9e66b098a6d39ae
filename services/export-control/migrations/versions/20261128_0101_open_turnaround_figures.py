"""Open applications' running turnaround against their track's indicative maximum.

Revision ID: 0101
Revises: 0100
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0101"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open_turnaround_figures",
        sa.Column("application_id", sa.UUID(), nullable=False),
        sa.Column("track", sa.String(length=20), nullable=False),
        sa.Column("indicative_max_working_days", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("paused_working_days", sa.Integer(), nullable=False),
        sa.Column("past_max", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_open_turnaround_figures_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_open_turnaround_figures")),
    )


def downgrade() -> None:
    op.drop_table("open_turnaround_figures")
