"""Gap-free human reference numbers (CSG/2026/000001, RM-2025-000001).

A counter row per key is incremented with an upsert inside the creating transaction:
concurrent transactions queue on that row's lock, and a rolled-back one gives its number back.
"""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def next_gap_free(session: AsyncSession, counters: Table | Any, *, counter: str = "last_value",
                        **key: Any) -> int:
    """The next value of the counter row identified by `key` (created at 1)."""
    table: Table = getattr(counters, "__table__", counters)
    stmt = insert(table).values(**key, **{counter: 1})
    stmt = stmt.on_conflict_do_update(index_elements=list(key),
                                      set_={counter: table.c[counter] + 1})
    return int(await session.scalar(stmt.returning(table.c[counter])))
