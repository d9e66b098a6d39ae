"""The kit's TRUNCATE guard on the audit trail (kit revision).

Revision ID: 0300
Revises: 0260
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from dkbuza_kit.migrations import create_truncate_guards_v1
from dkbuza_kit.migrations import drop_truncate_guards_v1

revision: str = "0300"
down_revision: str | None = "0260"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_truncate_guards_v1()


def downgrade() -> None:
    drop_truncate_guards_v1()
