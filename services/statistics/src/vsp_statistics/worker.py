"""The statistics worker: `python -m vsp_statistics.worker` (scheduled jobs, webhooks).

Scheduled: `releases-overdue-check` once a day (a `release.overdue` event per release that
passed its target unpublished, see `releases/overdue.py`).
"""

from dkbuza_kit.jobs import TaskRegistry, run_worker
from vsp_statistics.kpis import compute_kpis
from vsp_statistics.releases.overdue import (
    OVERDUE_CHECK_EVERY_SECONDS,
    OVERDUE_CHECK_TASK,
    signal_overdue_releases,
)
from vsp_statistics.settings import VspStatisticsSettings

registry = TaskRegistry()
registry.every(OVERDUE_CHECK_TASK, OVERDUE_CHECK_EVERY_SECONDS)(signal_overdue_releases)

if __name__ == "__main__":
    run_worker(VspStatisticsSettings(), registry, kpi_provider=compute_kpis)
