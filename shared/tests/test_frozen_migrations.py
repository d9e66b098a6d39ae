"""Kit DDL functions are frozen: a database migrated when a function was released must equal a
fresh one, so the SQL each emits never changes (a change is a new `_vN` and a new revision).
Every app's migrations import only versioned kit DDL."""

import ast
import hashlib
import io
import re
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations

from dkbuza_kit import migrations

ROOT = Path(__file__).resolve().parents[2]
FROZEN = {  # function name -> sha256 of the SQL it emits (offline mode, literal binds)
    "make_append_only_v1":
        "e91d318ca3716b1da7c05671f43ef445244d887f9d715d841e8346e41917472b",
    "create_kit_tables_v1":
        "4f0ba44125a0468cd6e791b12698e576245bb092fab45ac874546e826e213e5f",
    "drop_kit_tables_v1":
        "e89a8dc0b7e4f42a1799bf19613150a14e17e2417b9d18176dbeb403464c92c3",
    "create_webhook_tables_v1":
        "98dd52df4bffb7088d8bfe341ee44a0ce55349ac496372bcb5dfdf3747feccbb",
    "drop_webhook_tables_v1":
        "07e655f1f72596cdc6fccee609403d7756cc9474299e947b807ae4e4c38ebd27",
    "upgrade_webhook_tables_v3":
        "2651d1a0e1cd0fa633d2bf24e7921e03fdf5b750c74ee9737caec35072f6c2c3",
    "downgrade_webhook_tables_v3":
        "5be05fa08c313ae9390eaa4aa843b8b7484316c7da6c78cc2a5f3e31edc955b0",
    "create_kpi_snapshot_table_v1":
        "089d8686b065e5af6fd468a8572af20b563acef8920315dcbaab298f068006af",
    "drop_kpi_snapshot_table_v1":
        "3ca38347efac0f6e707d5f8fd5cd5ee3c7b7623cf3550ed81cf3b64e6cd5ba05",
    "create_documents_table_v1":
        "42f11dc5e52e33553b9f7069e99eee17e7705e724df8099b7432019bbb5373d4",
    "drop_documents_table_v1":
        "c0072da3a709c26394f5c0b1a1337a3159652d68c8d5ee1b85fe5e4b6ea825a9",
    "create_truncate_guards_v1":
        "69213e3afcd3273f99ba46ba609bcacd74b539b849b4caea09b4b9041355bd89",
    "drop_truncate_guards_v1":
        "8fdc62169528afec4c4e75a978e0c3d1438a69bfc81826145a12b94d2596e7f0",
    "add_job_leases_v1":
        "e0fa4109bbe3aab52cde8b2a97182e5eac6fc5f1a86fc1fd3ccc20badea209f7",
    "drop_job_leases_v1":
        "4c6cebdcc8124a2b1d154ab4e3c5f036c29cfb109d08ee34b92c1372eed0f6ad",
}
ARGUMENTS = {"make_append_only_v1": ("example_history",)}


def emitted_sql(name: str) -> str:
    buffer = io.StringIO()
    context = MigrationContext.configure(dialect_name="postgresql", opts={
        "as_sql": True, "output_buffer": buffer, "literal_binds": True})
    with Operations.context(context):
        getattr(migrations, name)(*ARGUMENTS.get(name, ()))
    return buffer.getvalue()


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_frozen_ddl_emits_the_sql_it_was_released_with(name):
    digest = hashlib.sha256(emitted_sql(name).encode()).hexdigest()
    assert digest == FROZEN[name], (
        f"{name} emits other SQL than when it was released: frozen: add a _v2 instead "
        "(a new function and a new kit revision in every app)")


def migration_files() -> list[Path]:
    folders = [ROOT / "gateway" / "migrations", *sorted((ROOT / "services").glob("*/migrations")),
               ROOT / "shared" / "tests" / "kit_app" / "migrations"]
    return [f for folder in folders if folder.exists()
            for f in sorted((folder / "versions").glob("*.py"))]


def test_every_migration_imports_only_versioned_kit_ddl():
    unversioned = []
    for path in migration_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "dkbuza_kit.migrations":
                unversioned += [f"{path.relative_to(ROOT)}: {alias.name}" for alias in node.names
                                if not re.search(r"_v\d+$", alias.name)]
    assert len(migration_files()) > 20
    assert unversioned == [], "import the frozen _vN DDL functions: " + ", ".join(unversioned)


def test_every_versioned_ddl_function_is_hashed():
    versioned = {name for name in dir(migrations)
                 if re.search(r"_v\d+$", name) and callable(getattr(migrations, name))}
    assert versioned == set(FROZEN)
