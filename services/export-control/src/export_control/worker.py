"""The export-control worker: `python -m export_control.worker` (scheduled jobs, webhooks)."""

from dkbuza_kit.jobs import run_worker
from export_control.jobs import registry
from export_control.kpis import compute_kpis
from export_control.settings import ExportControlSettings

if __name__ == "__main__":
    run_worker(ExportControlSettings(), registry, kpi_provider=compute_kpis)
