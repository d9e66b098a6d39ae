"""Kit tables and the test app's widgets.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from dkbuza_kit.migrations import create_kit_tables_v1
from dkbuza_kit.migrations import drop_kit_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables_v1()
    op.create_table(
        "widgets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("widgets")
    drop_kit_tables_v1()
