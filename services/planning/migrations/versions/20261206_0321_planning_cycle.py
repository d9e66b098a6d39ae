"""The planning cycle: due changes with history, items added during the year, archived results,
acknowledged reports and comment threads

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

FALSE = sa.text("false")


def upgrade() -> None:
    op.add_column("initiatives", sa.Column("added_after_adoption", sa.Boolean(), nullable=False,
                                           server_default=FALSE))
    op.add_column("expected_results", sa.Column("original_due", sa.String(length=24)))
    op.execute("UPDATE expected_results SET original_due = due")
    op.add_column("expected_results", sa.Column("added_after_adoption", sa.Boolean(),
                                                nullable=False, server_default=FALSE))
    op.add_column("expected_results", sa.Column("archived", sa.Boolean(), nullable=False,
                                                server_default=FALSE))
    op.add_column("result_milestones", sa.Column("original_due", sa.String(length=24)))
    op.execute("UPDATE result_milestones SET original_due = due")
    op.create_table(
        "due_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("from_due", sa.String(length=24), nullable=True),
        sa.Column("to_due", sa.String(length=24), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["milestone_id"], ["result_milestones.id"],
                                name=op.f("fk_due_changes_milestone_id_result_milestones"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["result_id"], ["expected_results.id"],
                                name=op.f("fk_due_changes_result_id_expected_results"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_changes")),
    )
    op.create_index(op.f("ix_due_changes_result_id"), "due_changes", ["result_id"])
    op.add_column("status_reports", sa.Column("acknowledged_by", sa.String(length=200)))
    op.add_column("status_reports", sa.Column("acknowledged_at", sa.DateTime(timezone=True)))
    op.add_column("status_reports", sa.Column("acknowledged_version", sa.Integer()))
    op.create_table(
        "report_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reply_to_id"], ["report_comments.id"],
                                name=op.f("fk_report_comments_reply_to_id_report_comments"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["report_id"], ["status_reports.id"],
                                name=op.f("fk_report_comments_report_id_status_reports"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_comments")),
    )
    op.create_index(op.f("ix_report_comments_report_id"), "report_comments", ["report_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_comments_report_id"), table_name="report_comments")
    op.drop_table("report_comments")
    for column in ("acknowledged_version", "acknowledged_at", "acknowledged_by"):
        op.drop_column("status_reports", column)
    op.drop_index(op.f("ix_due_changes_result_id"), table_name="due_changes")
    op.drop_table("due_changes")
    op.drop_column("result_milestones", "original_due")
    for column in ("archived", "added_after_adoption", "original_due"):
        op.drop_column("expected_results", column)
    op.drop_column("initiatives", "added_after_adoption")
