"""Where the repository's local state lives (keys, embedded PostgreSQL)."""

import os
from pathlib import Path


def repo_root() -> Path:
    """The repository root: the nearest parent holding `uv.lock`, else the working directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "uv.lock").exists() and (parent / "services").is_dir():
            return parent
    return Path.cwd()


def data_dir() -> Path:
    """`.data/` under the repository root unless DKBUZA_DATA_DIR says otherwise.

    Only named here: whoever writes below it creates what it needs (reading settings must not
    create directories as a side effect)."""
    return Path(os.environ.get("DKBUZA_DATA_DIR") or repo_root() / ".data")
