"""Two database roles per app: the owner runs the migrations, the app connects as a role with
only the grants it needs.

The app role may read and write rows (SELECT, INSERT, UPDATE, DELETE; sequences), nothing
else: no TRUNCATE, no TRIGGER, no DDL (it owns nothing, so it cannot ALTER, DROP or disable a
trigger) and no superuser settings such as `session_replication_role`. Rows of the
append-only tables stay protected by their triggers, which only the owner can switch off.
`grant_app_privileges` runs after every migration (idempotent), so new tables are covered.
"""

import re
import secrets
from pathlib import Path
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import Connection

# The app role of the tests (harness and app processes): created on the test server if missing.
TEST_APP_ROLE = "dkbuza_test_app"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def url_user(url: str) -> str | None:
    return unquote(urlsplit(url).username or "") or None


def with_user(url: str, user: str, password: str | None = None) -> str:
    """`url` with another user (and password); host, port, database and query kept."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    credentials = quote(user) + (f":{quote(password)}" if password else "")
    return urlunsplit((parts.scheme, f"{credentials}@{host}", parts.path, parts.query, ""))


def checked_role(role: str) -> str:
    """The role name, if it is a plain identifier (it is spliced into GRANT statements)."""
    if not _ROLE_NAME.match(role):
        raise ValueError(f"database role {role!r}: use lower-case letters, digits and _")
    return role


def app_role_for(owner_url: str, app_url: str) -> str | None:
    """The role to grant to: the app URL's user, when it is not the migrating user."""
    owner, app = url_user(owner_url), url_user(app_url)
    return checked_role(app) if app and app != owner else None


def grant_statements(role: str) -> list[str]:
    role = checked_role(role)
    return [
        # PostgreSQL < 15 lets every role create tables in `public`; the owner's schema only.
        "DO $$ BEGIN REVOKE CREATE ON SCHEMA public FROM PUBLIC; "
        "EXCEPTION WHEN insufficient_privilege THEN NULL; END $$",
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        # The app reads its schema version (readiness), never writes it.
        f'REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM "{role}"',
    ]


def grant_app_privileges(connection: Connection, role: str) -> None:
    """Give `role` the app's grants on every table and sequence (run by the owner)."""
    for statement in grant_statements(role):
        connection.execute(text(statement))


async def ensure_login_role(server_url: str, role: str, password: str | None = None) -> None:
    """Create the login role (no superuser, no DDL rights of its own) unless it exists; set its
    password when one is given. Needs a server URL with CREATEROLE (development and tests)."""
    role = checked_role(role)
    connection = await asyncpg.connect(_plain(server_url))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        if not exists:
            try:
                await connection.execute(
                    f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                    "NOREPLICATION NOBYPASSRLS")
            except (asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                pass  # created meanwhile by a parallel test session
        if password:
            quoted = password.replace("'", "''")
            await connection.execute(f"ALTER ROLE \"{role}\" PASSWORD '{quoted}'")
    finally:
        await connection.close()


def dev_password(path: Path) -> str:
    """The app role's development password, created once (kept with the data)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def _plain(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))
