"""Documents of applications and licences (kit documents table, version 1).

Revision ID: 0250
Revises: 0200
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from dkbuza_kit.migrations import create_documents_table_v1
from dkbuza_kit.migrations import drop_documents_table_v1

revision: str = "0250"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_documents_table_v1()


def downgrade() -> None:
    drop_documents_table_v1()
