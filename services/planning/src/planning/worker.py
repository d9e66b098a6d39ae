"""The planning worker: `python -m planning.worker` runs the tasks of `planning.jobs` and webhooks."""

from dkbuza_kit.jobs import run_worker
from planning.jobs import INDICATOR_KPIS_TASK
from planning.jobs import build_registry
from planning.kpis import compute_kpis
from planning.settings import PlanningSettings

__all__ = ["INDICATOR_KPIS_TASK", "build_registry", "registry"]
registry = build_registry()

if __name__ == "__main__":
    run_worker(PlanningSettings(), registry, kpi_provider=compute_kpis)
