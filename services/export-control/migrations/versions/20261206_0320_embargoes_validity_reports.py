"""Embargo list versions and exceptions, advice invalidation, unique denial notices and
one transaction report line per debit line.

Revision ID: 0320
Revises: 0300
Create Date: 2026-12-06 22:50:43.588991
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0320"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "embargo_list_versions",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_embargo_list_versions")),
    )
    op.create_table(
        "embargo_exceptions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("application_id", sa.UUID(), nullable=False),
        sa.Column("list_version", sa.String(length=40), nullable=False),
        sa.Column("measure_id", sa.String(length=40), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("article", sa.String(length=100), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("head_signed_by", sa.String(length=200), nullable=False),
        sa.Column("head_signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minister_signed_by", sa.String(length=200), nullable=True),
        sa.Column("minister_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_embargo_exceptions_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_version"],
            ["embargo_list_versions.version"],
            name=op.f("fk_embargo_exceptions_list_version_embargo_list_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embargo_exceptions")),
    )
    op.create_index(
        op.f("ix_embargo_exceptions_application_id"), "embargo_exceptions", ["application_id"], unique=False
    )
    op.add_column("advice", sa.Column("invalidated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_unique_constraint(
        "uq_denial_notices_state_reference", "denial_notices", ["notifying_state", "notice_reference"]
    )
    op.create_unique_constraint(
        "uq_transaction_report_lines_debit",
        "transaction_report_lines",
        ["licence_line_id", "mrn", "item_number"],
    )


def downgrade() -> None:
    op.drop_constraint("uq_transaction_report_lines_debit", "transaction_report_lines", type_="unique")
    op.drop_constraint("uq_denial_notices_state_reference", "denial_notices", type_="unique")
    op.drop_column("advice", "invalidated_at")
    op.drop_index(op.f("ix_embargo_exceptions_application_id"), table_name="embargo_exceptions")
    op.drop_table("embargo_exceptions")
    op.drop_table("embargo_list_versions")
