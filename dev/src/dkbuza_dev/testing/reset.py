"""Emptying a test database quickly: only the tables a test wrote to.

TRUNCATE of every table costs most of a second per test (new files for each table and index);
most tests touch a handful. Statement-level triggers note each written table by advancing a
sequence of its own (`_test_dirty_<table oid>`): sequences are not transactional and never
block, so rolled-back writes are noted too and concurrent requests never wait on each other.
A table whose own identity sequence advanced (a failed insert) is emptied as well, so ids
restart at 1 in every test. Installed by the harness in test databases only.
"""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

PREFIX = "_test_dirty_"

INSTALL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION _test_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    PERFORM nextval('{PREFIX}' || TG_RELID::text);
    RETURN NULL;
END $$
"""

INSTALL_TRIGGERS = f"""
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
               AND c.relname <> 'alembic_version' LOOP
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', '{PREFIX}' || t.oid::text);
        EXECUTE format('DROP TRIGGER IF EXISTS _test_dirty ON %I', t.relname);
        EXECUTE format('CREATE TRIGGER _test_dirty AFTER INSERT OR UPDATE OR DELETE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION _test_mark_dirty()', t.relname);
    END LOOP;
END $$
"""

DIRTY = f"""
SELECT c.relname FROM pg_sequences s
JOIN pg_class c ON c.oid = substr(s.sequencename, {len(PREFIX) + 1})::oid
WHERE s.schemaname = 'public' AND s.sequencename LIKE '{PREFIX}%' AND s.last_value IS NOT NULL
UNION
SELECT t.relname FROM pg_sequences s
JOIN pg_class q ON q.relname = s.sequencename AND q.relkind = 'S'
JOIN pg_depend d ON d.objid = q.oid AND d.classid = 'pg_class'::regclass
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
WHERE s.schemaname = 'public' AND s.last_value IS NOT NULL
  AND s.sequencename NOT LIKE '{PREFIX}%'
"""

CLEAN = f"""
SELECT setval(quote_ident(sequencename), 1, false) FROM pg_sequences
WHERE schemaname = 'public' AND sequencename LIKE '{PREFIX}%' AND last_value IS NOT NULL
"""


async def install_dirty_tracking(connection: AsyncConnection) -> None:
    await connection.execute(text(INSTALL_FUNCTION))
    await connection.execute(text(INSTALL_TRIGGERS))


async def empty_written_tables(connection: AsyncConnection, keep: tuple[str, ...]) -> list[str]:
    """TRUNCATE the tables written since the last call (except `keep`); returns their names."""
    written = sorted(set((await connection.execute(text(DIRTY))).scalars()) - set(keep))
    if written:
        # Tests only: the audit trail's TRUNCATE guard is a trigger; replica mode (a superuser
        # setting) skips it, and the dirty-marking triggers, for this transaction.
        await connection.execute(text("SET LOCAL session_replication_role = replica"))
        quoted = ", ".join(f'"{name}"' for name in written)
        await connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    await connection.execute(text(CLEAN))
    return written
