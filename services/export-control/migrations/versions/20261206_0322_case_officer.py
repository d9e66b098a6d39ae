"""The case officer of an application (casework).

Revision ID: 0322
Revises: 0321
Create Date: 2026-12-06 23:28:03.369983
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0322'
down_revision: str | None = '0321'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('applications', sa.Column('case_officer', sa.String(length=200), nullable=True))
    op.add_column('applications', sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_applications_case_officer'), 'applications', ['case_officer'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_applications_case_officer'), table_name='applications')
    op.drop_column('applications', 'assigned_at')
    op.drop_column('applications', 'case_officer')
