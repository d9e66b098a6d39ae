"""One shape for the five apps (platform.md "Inside a service"), held by a test so the next
change keeps it: the scaffold files, HTTP-only routers without role literals, errors raised by
name from the service's catalogue, and small modules and functions."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {
    "planning": ROOT / "services/planning/src/planning",
    "disaster-fund": ROOT / "services/disaster-fund/src/disaster_fund",
    "export-control": ROOT / "services/export-control/src/export_control",
    "statistics": ROOT / "services/statistics/src/vsp_statistics",
}
SCAFFOLD = ("roles.py", "errors.py", "jobs.py", "worker.py", "kpis.py", "demo.py", "settings.py",
            "main.py")
ROLE_LITERAL = re.compile(r"""["'](csg|vrf|planning|sv|vsa|kpi)\.[a-z_]+["']""")
WRITES_IN_ROUTER = re.compile(r"\b(record_audit|emit_event|session\.add|session\.delete)\(")
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def domain_folders(package: Path) -> list[Path]:
    return sorted(p for p in package.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name != "data")


def source_files() -> list[Path]:
    roots = [ROOT / "shared/src", ROOT / "dev/src", ROOT / "gateway/src", *SERVICES.values()]
    files = []
    for root in roots:
        for path in root.rglob("*.py"):
            relative = str(path.relative_to(ROOT))
            if ("/migrations/" in relative or path.name in ("demo.py", "migrations.py")):
                continue
            files.append(path)
    return sorted(set(files))


@pytest.mark.parametrize("service", SERVICES)
def test_scaffold_files(service):
    package = SERVICES[service]
    assert [name for name in SCAFFOLD if not (package / name).is_file()] == []
    worker = (package / "worker.py").read_text().count("\n")
    assert worker <= 30, f"worker.py is {worker} lines: register tasks in jobs.py"


WRITE_ROUTE = re.compile(r"@\w+\.(post|put|patch|delete)\(")


@pytest.mark.parametrize("service", SERVICES)
def test_domain_folders_with_writes_have_a_service_layer(service):
    """A folder whose router changes state has a `service.py` (the use cases, audit and
    events); read-only folders (exports, reports) may render from the router. Request and
    response models live in `schemas.py` where the folder has its own."""
    incomplete = []
    for folder in domain_folders(SERVICES[service]):
        router = folder / "router.py"
        if router.exists() and WRITE_ROUTE.search(router.read_text()):
            if not (folder / "service.py").exists():
                incomplete.append(folder.name)
    assert incomplete == []


@pytest.mark.parametrize("service", SERVICES)
def test_routers_are_http_only(service):
    offences = []
    for router in SERVICES[service].rglob("router.py"):
        text = router.read_text()
        for pattern, what in ((ROLE_LITERAL, "role literal"), (WRITES_IN_ROUTER, "write")):
            offences += [(router.parent.name, what, m.group(0)) for m in pattern.finditer(text)]
    assert offences == []


@pytest.mark.parametrize("service", SERVICES)
def test_errors_are_raised_by_name(service):
    """Problem codes come from the service's catalogue (`errors.py`), not inline strings."""
    inline = []
    for path in SERVICES[service].rglob("*.py"):
        if path.name in ("errors.py", "demo.py"):
            continue
        inline += [(path.name, n + 1) for n, line in enumerate(path.read_text().splitlines())
                   if "ProblemError(" in line]
    assert inline == []


def test_modules_and_functions_stay_small():
    large_modules, long_functions = [], []
    for path in source_files():
        text = path.read_text()
        relative = str(path.relative_to(ROOT))
        if text.count("\n") > MAX_MODULE_LINES:
            large_modules.append((relative, text.count("\n")))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append((relative, node.name, length))
    assert (large_modules, long_functions) == ([], [])
