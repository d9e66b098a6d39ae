"""Due moments as the plan prints them: timing kind, wider due with its precision, milestones

Revision ID: 0320
Revises: 0300
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0320"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("expected_results", sa.Column("timing", sa.String(length=20), nullable=False,
                                                server_default="undated"))
    op.execute("UPDATE expected_results SET timing = 'dated' WHERE due IS NOT NULL")
    op.alter_column("expected_results", "due", existing_type=sa.String(length=10),
                    type_=sa.String(length=24), existing_nullable=True)
    op.add_column("expected_results", sa.Column("due_precision", sa.String(length=20),
                                                nullable=True))
    op.create_table(
        "result_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("due", sa.String(length=24), nullable=False),
        sa.Column("due_precision", sa.String(length=20), nullable=False),
        sa.Column("due_first", sa.Date(), nullable=False),
        sa.Column("due_last", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["expected_results.id"],
                                name=op.f("fk_result_milestones_result_id_expected_results"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_milestones")),
        sa.UniqueConstraint("result_id", "position",
                            name=op.f("uq_result_milestones_result_id_position")),
    )
    op.create_index(op.f("ix_result_milestones_result_id"), "result_milestones", ["result_id"])
    op.create_index(op.f("ix_result_milestones_due_last"), "result_milestones", ["due_last"])


def downgrade() -> None:
    op.drop_index(op.f("ix_result_milestones_due_last"), table_name="result_milestones")
    op.drop_index(op.f("ix_result_milestones_result_id"), table_name="result_milestones")
    op.drop_table("result_milestones")
    op.drop_column("expected_results", "due_precision")
    # Longer forms ("2025-Q1/2025-Q2") do not fit the old column: keep the due's last day.
    op.execute("UPDATE expected_results SET due = NULL WHERE length(due) > 10")
    op.alter_column("expected_results", "due", existing_type=sa.String(length=24),
                    type_=sa.String(length=10), existing_nullable=True)
    op.drop_column("expected_results", "timing")
