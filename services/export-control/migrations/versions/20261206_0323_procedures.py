"""The procedures beside licences (opinions, confirmations, extensions, exemptions,
verification requests, compliance visits).

Revision ID: 0323
Revises: 0322
Create Date: 2026-12-06 23:33:13.454543
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0323'
down_revision: str | None = '0322'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('procedures',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('company_org', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('licence_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_procedures_licence_id_licences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures'))
    )
    op.create_index(op.f('ix_procedures_closed_on'), 'procedures', ['closed_on'], unique=False)
    op.create_index(op.f('ix_procedures_company_org'), 'procedures', ['company_org'], unique=False)
    op.create_index(op.f('ix_procedures_kind'), 'procedures', ['kind'], unique=False)
    op.create_index(op.f('ix_procedures_status'), 'procedures', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_procedures_status'), table_name='procedures')
    op.drop_index(op.f('ix_procedures_kind'), table_name='procedures')
    op.drop_index(op.f('ix_procedures_company_org'), table_name='procedures')
    op.drop_index(op.f('ix_procedures_closed_on'), table_name='procedures')
    op.drop_table('procedures')
