"""Human reference numbers (RM-2025-000001): gap-free per prefix and year.

The counter row is incremented with an upsert, so concurrent transactions queue on the row
lock and a rolled-back transaction gives its number back.
"""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def next_number(session: AsyncSession, prefix: str, year: int, width: int = 6) -> str:
    name = f"{prefix}-{year}"
    value = await session.scalar(
        text("INSERT INTO number_sequences (name, last_value) VALUES (:name, 1) "
             "ON CONFLICT (name) DO UPDATE SET last_value = number_sequences.last_value + 1 "
             "RETURNING last_value"),
        {"name": name},
    )
    return f"{name}-{int(value):0{width}d}"
