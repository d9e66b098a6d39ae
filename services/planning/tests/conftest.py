import sys
from pathlib import Path

from dkbuza_dev.testing import app_harness_fixture

# The tests share helpers (small_plan.py) by plain import.
sys.path.insert(0, str(Path(__file__).parent))

from small_plan import plan  # noqa: E402, F401  (the small 2030 plan fixture, for every test)

harness = app_harness_fixture("planning")
