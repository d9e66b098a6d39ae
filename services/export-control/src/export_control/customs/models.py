"""The customs write-off ledger: append-only entries; a correction is a reversal entry."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import refers_to
from dkbuza_kit.columns import uuid_pk
from export_control.base import Base


class LedgerEntry(Base):
    """kind: debit (customs), write_off (manual, by an officer), reversal (re-credit).

    Amounts are signed usage: debits and write-offs positive, reversals negative, so the net
    use of a line is a SUM. A debit is unique on (MRN, item number, licence line).
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("uq_ledger_entries_debit_key", "mrn", "item_number", "licence_line_id",
              unique=True, postgresql_where=text("kind = 'debit'")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    licence_id: Mapped[uuid.UUID] = refers_to("licences.id")
    licence_line_id: Mapped[uuid.UUID] = refers_to("licence_lines.id")
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    mrn: Mapped[str | None] = mapped_column(String(18))
    item_number: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    reverses_entry_id: Mapped[uuid.UUID | None] = refers_to("ledger_entries.id")
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
