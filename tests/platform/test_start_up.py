"""Start-up cost. Every process start (the run command's thirteen processes, the process
tests, the bench, a worker restart) imports the installed packages from compiled bytecode: the
set-up compiles them (`make sync`). Where PYTHONDONTWRITEBYTECODE is set (this machine, CI, many containers)
Python never caches what it compiles, and an app then spent ~5 s of CPU compiling some two
thousand modules at every start instead of ~1.7 s importing them."""

import json
import os
import subprocess
import sys

import pytest

from dkbuza_kit.apps import APPS

LIST_UNCOMPILED = """
import importlib, json, os, sys, sysconfig
importlib.import_module(sys.argv[1])
installed = os.path.realpath(sysconfig.get_paths()["purelib"])
missing = sorted(
    name for name, module in list(sys.modules.items())
    if (spec := getattr(module, "__spec__", None)) is not None and spec.origin
    and spec.origin.endswith(".py") and os.path.realpath(spec.origin).startswith(installed)
    and not (spec.cached and os.path.exists(spec.cached)))
print(json.dumps(missing))
"""


@pytest.mark.parametrize("app", [pytest.param(app, id=app.name) for app in APPS])
def test_an_app_imports_its_installed_packages_from_bytecode(app):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", LIST_UNCOMPILED, f"{app.package}.main"],
                            env=env, capture_output=True, text=True, timeout=180, check=True)
    missing = json.loads(result.stdout.strip().splitlines()[-1])
    assert not missing, f"{len(missing)} installed modules without bytecode, e.g. {missing[:5]}"


# Libraries only some requests need, imported on first use: the PDF stack (fpdf2 with
# fontTools and Pillow) was a fifth of the fund's and export control's start-up imports.
LOADED_ON_FIRST_USE = ("fpdf", "fontTools", "PIL")


@pytest.mark.parametrize("app", [pytest.param(app, id=app.name) for app in APPS])
def test_starting_an_app_leaves_the_pdf_stack_unloaded(app):
    probe = (f"import sys, {app.package}.main; "
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(LOADED_ON_FIRST_USE)!r}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=180, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout
