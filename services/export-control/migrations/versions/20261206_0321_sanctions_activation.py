"""Sanctions list uploads wait for a head's activation (who and when).

Revision ID: 0321
Revises: 0320
Create Date: 2026-12-06 23:10:56.566640
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0321'
down_revision: str | None = '0320'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('sanctions_imports', sa.Column('activated_by', sa.String(length=200), nullable=True))
    op.add_column('sanctions_imports', sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True))
    # Lists in force before this revision were activated by their upload.
    op.execute("UPDATE sanctions_imports SET activated_by = imported_by, activated_at = imported_at "
               "WHERE active")


def downgrade() -> None:
    op.drop_column('sanctions_imports', 'activated_at')
    op.drop_column('sanctions_imports', 'activated_by')
