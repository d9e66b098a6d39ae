"""Corrections of a dossier's facts (contact, payee), superseded decision versions, payee and
four-eyes approval on payments.

Revision ID: 0301
Revises: 0300
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0301"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPLICATION_COLUMNS = (("contact_email", 200), ("contact_phone", 50), ("payee_kind", 20),
                       ("payee_name", 300), ("payee_iban", 34))


def upgrade() -> None:
    for name, length in APPLICATION_COLUMNS:
        op.add_column("applications", sa.Column(name, sa.String(length)))
    op.add_column("decisions", sa.Column("superseded_at", sa.DateTime(timezone=True)))
    op.add_column("payments", sa.Column("payee_name", sa.String(300)))
    op.add_column("payments", sa.Column("payee_iban", sa.String(34)))
    op.add_column("payments", sa.Column("needs_approval", sa.Boolean(), nullable=False,
                                        server_default="false"))
    op.add_column("payments", sa.Column("approved_by", sa.String(200)))
    op.add_column("payments", sa.Column("approved_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    for name in ("approved_at", "approved_by", "needs_approval", "payee_iban", "payee_name"):
        op.drop_column("payments", name)
    op.drop_column("decisions", "superseded_at")
    for name, _ in reversed(APPLICATION_COLUMNS):
        op.drop_column("applications", name)
