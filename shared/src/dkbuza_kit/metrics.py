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

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

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
KPI_VALUE = Gauge("kpi_value", "Latest computed KPI value", ["kpi"],
                  multiprocess_mode="mostrecent")
JOBS_PROCESSED = Counter("jobs_processed_total", "Background jobs processed", ["task", "outcome"])


def publish_kpis(kpis) -> None:
    for figure in kpis:
        if figure.value is not None:
            KPI_VALUE.labels(kpi=figure.id).set(figure.value)


def render() -> tuple[bytes, str]:
    if MULTIPROCESS_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
