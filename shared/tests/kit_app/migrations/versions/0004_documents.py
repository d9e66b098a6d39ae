"""The kit test app's documents table.

Revision ID: 0004
Revises: 0200
"""

from dkbuza_kit.migrations import create_documents_table_v1
from dkbuza_kit.migrations import drop_documents_table_v1

revision = "0004"
down_revision = "0200"


def upgrade() -> None:
    create_documents_table_v1()


def downgrade() -> None:
    drop_documents_table_v1()
