"""Where the published 2025 plan text lives: shipped with the package (the department's
published business plan, a text export of its PDF), or a file named by an override."""

import os
from importlib import resources
from pathlib import Path

PLAN_FILE_ENV = "PLANNING_DEMO_PLAN_FILE"


def default_plan_file() -> Path:
    override = os.environ.get(PLAN_FILE_ENV)
    if override:
        return Path(override)
    return Path(str(resources.files("planning").joinpath("data/ondernemingsplan-2025.txt")))
