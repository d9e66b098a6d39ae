"""Indicators imported from the plan: unknown figures allowed, description, policy field
link and a version for If-Match

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPTIONAL_COLUMNS = [("unit", sa.String(length=50)), ("baseline", sa.Numeric(18, 3)),
                    ("target", sa.Numeric(18, 3)), ("direction", sa.String(length=20))]


def upgrade() -> None:
    for name, type_ in OPTIONAL_COLUMNS:
        op.alter_column("indicators", name, existing_type=type_, nullable=True)
    op.add_column("indicators", sa.Column("description", sa.Text(), nullable=True))
    # Existing rows start at version 1; new rows get it from the model.
    op.add_column("indicators", sa.Column("version", sa.Integer(), nullable=False,
                                          server_default="1"))
    op.alter_column("indicators", "version", server_default=None)
    op.add_column("indicators", sa.Column("policy_field_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_indicators_policy_field_id"), "indicators", ["policy_field_id"])
    op.create_foreign_key(op.f("fk_indicators_policy_field_id_policy_fields"), "indicators",
                          "policy_fields", ["policy_field_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.drop_constraint(op.f("fk_indicators_policy_field_id_policy_fields"), "indicators",
                       type_="foreignkey")
    op.drop_index(op.f("ix_indicators_policy_field_id"), table_name="indicators")
    op.drop_column("indicators", "policy_field_id")
    op.drop_column("indicators", "version")
    op.drop_column("indicators", "description")
    # Indicators without figures cannot satisfy the old constraints.
    op.execute("DELETE FROM indicators WHERE unit IS NULL OR baseline IS NULL "
               "OR target IS NULL OR direction IS NULL")
    for name, type_ in OPTIONAL_COLUMNS:
        op.alter_column("indicators", name, existing_type=type_, nullable=False)
