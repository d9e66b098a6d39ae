"""Optimistic-concurrency versions on the mutable resources; overdue release signals.

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

VERSIONED_TABLES = (
    "network_entities",
    "official_statistics",
    "work_programme_actions",
    "collaboration_projects",
    "rvos_advice",
)


def upgrade() -> None:
    for table in VERSIONED_TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default=sa.text("1"),
                                       nullable=False))
    op.create_table(
        "release_overdue_signals",
        sa.Column("release_id", sa.UUID(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("signalled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"],
                                name=op.f("fk_release_overdue_signals_release_id_releases")),
        sa.PrimaryKeyConstraint("release_id", "target", name=op.f("pk_release_overdue_signals")),
    )


def downgrade() -> None:
    op.drop_table("release_overdue_signals")
    for table in reversed(VERSIONED_TABLES):
        op.drop_column(table, "version")
