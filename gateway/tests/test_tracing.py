"""With tracing off (the default), the gateway forwards the caller's W3C trace context as it
came, so a service that traces continues the caller's trace."""

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_traceparent_is_forwarded_to_the_service(client, harness, upstreams):
    assert harness.app.state.tracer_provider is None
    response = await client.get("/planning/v1/things", headers={
        "traceparent": TRACEPARENT, "tracestate": "vendor=1"})
    assert response.status_code == 200
    received = upstreams["planning"].requests[-1]["headers"]
    assert received["traceparent"] == TRACEPARENT
    assert received["tracestate"] == "vendor=1"
