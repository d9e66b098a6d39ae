"""Per-upstream timeouts from the environment, applied to each upstream's client."""

from gateway.main import build_upstreams
from gateway.settings import GatewaySettings


def test_per_upstream_timeout_overrides(monkeypatch):
    monkeypatch.setenv("GATEWAY_UPSTREAM_READ_TIMEOUT_S", "10")
    monkeypatch.setenv("GATEWAY_UPSTREAM_TIMEOUTS",
                       '{"statistics": {"read_s": 30, "connect_s": 0.2}}')
    settings = GatewaySettings()
    assert settings.timeouts_for("statistics") == (0.2, 30.0, 2.0)
    assert settings.timeouts_for("planning") == (1.0, 10.0, 2.0)
    upstreams = build_upstreams(settings)
    assert upstreams["statistics"].read_timeout == 30.0
    assert upstreams["planning"].read_timeout == 10.0
    assert upstreams["planning"].breaker.failure_threshold == 5
