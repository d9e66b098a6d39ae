"""Prometheus metrics: HTTP RED per route template plus KPI gauges.

One registry per process (the default one); collectors are created once at import so that
several app instances in one test process share them instead of failing on re-registration.
"""

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds", "HTTP request duration", ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
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
    return generate_latest(), CONTENT_TYPE_LATEST
