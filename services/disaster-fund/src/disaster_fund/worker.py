"""The disaster-fund worker: `python -m disaster_fund.worker` runs scheduled jobs (deemed
acceptance of expert reports, finality of decisions) and webhook deliveries."""

from disaster_fund.jobs import register
from disaster_fund.kpis import compute_kpis
from disaster_fund.settings import DisasterFundSettings
from dkbuza_kit.jobs import TaskRegistry
from dkbuza_kit.jobs import run_worker

registry = register(TaskRegistry())


if __name__ == "__main__":
    run_worker(DisasterFundSettings(), registry, kpi_provider=compute_kpis)
