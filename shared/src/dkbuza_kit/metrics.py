"""Prometheus metrics: HTTP RED per route template plus KPI gauges.

One registry per process (the default one); collectors are created once at import so that
several app instances in one test process share them instead of failing on re-registration.

Several uvicorn workers per app (`WEB_CONCURRENCY`, `dkbuza run --workers`): when
`PROMETHEUS_MULTIPROC_DIR` is set, every worker writes its values to files there and
`/metrics` (answered by whichever worker) sums them across the workers, so a scrape never
sees one worker's counters only. The directory must be empty when the app starts (the run
command and the images use a fresh one).
"""

import os

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROCESS_DIR:  # the images point it into /tmp, which starts empty
    os.makedirs(MULTIPROCESS_DIR, exist_ok=True)

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds", "HTTP request duration", ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUESTS_SHED = Counter("http_requests_shed_total", "Requests refused with 503 to shed load",
                        ["service", "reason"])
JOBS_PROCESSED = Counter("jobs_processed_total", "Background jobs processed", ["task", "outcome"])


class _KpiCollectors:
    """Every app's `KpiCollector` in this process, exposed as one `kpi_value` family (several
    apps share the default registry in tests, and a family may be registered only once)."""

    def __init__(self) -> None:
        self.collectors: list = []

    def add(self, collector) -> None:
        self.collectors.append(collector)

    def remove(self, collector) -> None:
        if collector in self.collectors:
            self.collectors.remove(collector)

    def collect(self):
        merged = None
        for collector in self.collectors:
            for family in collector.collect():
                if merged is None:
                    merged = family
                else:
                    merged.samples.extend(family.samples)
        if merged is not None:
            yield merged


KPI_COLLECTORS = _KpiCollectors()
REGISTRY.register(KPI_COLLECTORS)


def render() -> tuple[bytes, str]:
    if MULTIPROCESS_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
        registry.register(KPI_COLLECTORS)  # computed at scrape time in the answering worker
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
