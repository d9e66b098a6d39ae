"""The source of an indicator's target

Revision ID: 0324
Revises: 0323
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0324"
down_revision: str | None = "0323"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("indicators", sa.Column("target_source", sa.String(length=300), nullable=True))


def downgrade() -> None:
    op.drop_column("indicators", "target_source")
