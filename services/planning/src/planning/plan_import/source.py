"""Where the published 2025 plan text lives: `<repo>/../shared/data/`, or an override."""

import os
from pathlib import Path

from dkbuza_kit.paths import repo_root

PLAN_FILE_ENV = "PLANNING_DEMO_PLAN_FILE"


def default_plan_file() -> Path:
    override = os.environ.get(PLAN_FILE_ENV)
    if override:
        return Path(override)
    return repo_root().parent / "shared" / "data" / "ondernemingsplan-2025.txt"
