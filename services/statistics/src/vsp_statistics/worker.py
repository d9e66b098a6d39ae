"""The statistics worker: `python -m vsp_statistics.worker` (scheduled jobs, webhooks)."""

from dkbuza_kit.jobs import run_worker
from vsp_statistics.jobs import registry
from vsp_statistics.kpis import compute_kpis
from vsp_statistics.settings import VspStatisticsSettings

if __name__ == "__main__":
    run_worker(VspStatisticsSettings(), registry, kpi_provider=compute_kpis)
