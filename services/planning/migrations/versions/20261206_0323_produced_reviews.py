"""Look-backs produced from the year's final reports: origin, and the initiative per item

Revision ID: 0323
Revises: 0322
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0323"
down_revision: str | None = "0322"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("reviews", sa.Column("origin", sa.String(length=20), nullable=False,
                                       server_default="imported"))
    op.add_column("review_items", sa.Column("initiative_id", sa.Integer(), nullable=True))
    op.create_foreign_key(op.f("fk_review_items_initiative_id_initiatives"), "review_items",
                          "initiatives", ["initiative_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.drop_constraint(op.f("fk_review_items_initiative_id_initiatives"), "review_items",
                       type_="foreignkey")
    op.drop_column("review_items", "initiative_id")
    op.execute("DELETE FROM reviews WHERE origin = 'produced'")
    op.drop_column("reviews", "origin")
