"""Gateway metrics (process-wide collectors, created once at import like the kit's)."""

from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram

import dkbuza_kit.metrics  # noqa: F401 (creates PROMETHEUS_MULTIPROC_DIR before any metric)

UPSTREAM_DURATION = Histogram(
    "gateway_upstream_request_duration_seconds",
    "Time to the upstream's response headers, by upstream and outcome (HTTP status, "
    "'timeout', 'unavailable' or 'circuit_open')",
    ["upstream", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BREAKER_STATE = Gauge(
    "gateway_upstream_breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open",
    ["upstream"], multiprocess_mode="max",  # several workers: the worst of their breakers
)
UPSTREAM_RETRIES = Counter("gateway_upstream_retries_total", "Retried upstream requests",
                           ["upstream"])
RATE_LIMITED = Counter("gateway_rate_limited_total", "Requests refused with 429")
RATE_LIMIT_STORE_ERRORS = Counter(
    "gateway_rate_limit_store_errors_total",
    "Rate-limit counter store failures (requests were let through)",
)
AGGREGATE_SOURCES = Counter(
    "gateway_aggregate_sources_total", "Per-source outcome of aggregate requests",
    ["endpoint", "upstream", "status"],
)
