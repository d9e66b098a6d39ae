"""Prometheus metrics: HTTP RED per route template plus KPI gauges.

One registry per process (the default one); collectors are created once at import so that
several app instances in one test process share them instead of failing on re-registration.
"""

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds", "HTTP request duration", ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
KPI_VALUE = Gauge("kpi_value", "Latest computed KPI value", ["kpi"])
JOBS_PROCESSED = Counter("jobs_processed_total", "Background jobs processed", ["task", "outcome"])


def publish_kpis(kpis) -> None:
    for figure in kpis:
        if figure.value is not None:
            KPI_VALUE.labels(kpi=figure.id).set(figure.value)


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
