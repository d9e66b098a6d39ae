"""Releases: one live release per statistic, reference period and vintage (partial unique
index); release type, output link, history flag and last change; change requests (reschedule,
cancellation) approved by another user.

Revision ID: 0310
Revises: 0300
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0310"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("releases", sa.Column("release_type", sa.String(length=12),
                                        server_default="official", nullable=False))
    op.add_column("releases", sa.Column("output_url", sa.String(length=2000), nullable=True))
    op.add_column("releases", sa.Column("recorded_from_history", sa.Boolean(),
                                        server_default="false", nullable=False))
    op.add_column("releases", sa.Column("updated_at", sa.DateTime(timezone=True),
                                        server_default=sa.text("now()"), nullable=False))
    op.create_index("uq_releases_live_edition", "releases",
                    ["statistic_id", "reference_period", "vintage"], unique=True,
                    postgresql_where=sa.text("state <> 'cancelled'"))
    op.create_table(
        "release_change_requests",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("release_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("new_target", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_org", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"],
                                name=op.f("fk_release_change_requests_release_id_releases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_change_requests")),
    )
    op.create_index(op.f("ix_release_change_requests_release_id"), "release_change_requests",
                    ["release_id"], unique=False)
    op.create_index("uq_release_change_requests_pending", "release_change_requests",
                    ["release_id"], unique=True, postgresql_where=sa.text("state = 'pending'"))


def downgrade() -> None:
    op.drop_index("uq_release_change_requests_pending", table_name="release_change_requests")
    op.drop_index(op.f("ix_release_change_requests_release_id"),
                  table_name="release_change_requests")
    op.drop_table("release_change_requests")
    op.drop_index("uq_releases_live_edition", table_name="releases")
    for column in ("updated_at", "recorded_from_history", "output_url", "release_type"):
        op.drop_column("releases", column)
