"""dkbuza_kit.db.where_given: the optional equality filters of list endpoints."""

import pytest
from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from dkbuza_kit.db import where_given

ROWS = Table("rows", MetaData(), Column("year", Integer), Column("code", String),
             Column("open", Boolean))


def where_clause(stmt) -> str:
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    return sql.partition("WHERE")[2].strip()


@pytest.mark.parametrize(("year", "code", "open_", "expected"), [
    (None, None, None, ""),
    (2025, None, None, "rows.year = 2025"),
    (None, "A1", None, "rows.code = 'A1'"),
    (2025, "A1", None, "rows.year = 2025 AND rows.code = 'A1'"),
    # Falsy values are values: a year 0, an empty code and False still filter.
    (0, "", False, "rows.year = 0 AND rows.code = '' AND rows.open = false"),
])
def test_only_the_given_values_filter(year, code, open_, expected):
    stmt = where_given(select(ROWS), (ROWS.c.year, year), (ROWS.c.code, code),
                       (ROWS.c.open, open_))
    assert where_clause(stmt) == expected


def test_filters_add_to_the_statement_s_own_conditions():
    stmt = where_given(select(ROWS).where(ROWS.c.open.is_(True)), (ROWS.c.year, 2025))
    assert where_clause(stmt) == "rows.open IS true AND rows.year = 2025"
