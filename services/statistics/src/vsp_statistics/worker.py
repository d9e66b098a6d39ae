"""The statistics worker: `python -m vsp_statistics.worker` (scheduled jobs, webhooks)."""

from dkbuza_kit.jobs import TaskRegistry, run_worker
from vsp_statistics.settings import VspStatisticsSettings

registry = TaskRegistry()

if __name__ == "__main__":
    run_worker(VspStatisticsSettings(), registry)
