"""Measurement-only variants of the disaster fund for `profile_get.py --variants` (A/B of a
proposed cut in one run, without changing the service): `uvicorn --factory variants:<name>
--app-dir bench`. Each one patches ONE thing, then builds the real app."""

import dkbuza_kit.db as kit_db
from disaster_fund.main import create_app as real_app


def as_is():
    return real_app()


def _with_keywords(module, function_name: str, **overrides):
    """The real app, built after `module.function_name` was wrapped to force keyword arguments."""
    original = getattr(module, function_name)

    def wrapped(*args, **kwargs):
        return original(*args, **{**kwargs, **overrides})

    setattr(module, function_name, wrapped)
    return real_app()


def pre_ping_every_checkout():
    """The engine as it was before issue 19: SQLAlchemy's `pool_pre_ping` on every checkout
    (three round trips with asyncpg) instead of a ping after idling only."""
    return _with_keywords(kit_db, "create_async_engine", pool_pre_ping=True)


def reads_in_transactions():
    """GETs inside BEGIN ... COMMIT as before issue 19, instead of autocommit."""
    return _with_keywords(kit_db, "session_class_with_timeouts", autocommit_reads=False)


def no_kit_middleware():
    """Without the kit's four ASGI layers (request context + access log + metrics, in-flight
    limit, header limit, body limit): what they cost together, Starlette's layering included."""
    from dkbuza_kit.header_limits import HeaderLimitMiddleware
    from dkbuza_kit.middleware import BodySizeLimitMiddleware
    from dkbuza_kit.middleware import RequestContextMiddleware
    from dkbuza_kit.shedding import InFlightLimitMiddleware

    kit = (HeaderLimitMiddleware, BodySizeLimitMiddleware, RequestContextMiddleware,
           InFlightLimitMiddleware)
    app = real_app()
    app.user_middleware = [m for m in app.user_middleware if m.cls not in kit]
    return app


def access_log_off():
    """Log level WARNING: the access line (structlog, JSON) is not rendered."""
    import os

    os.environ["DISASTER_FUND_LOG_LEVEL"] = "WARNING"
    return real_app()


def as_is_again():
    """The service as it is, a second process: the A/B's noise floor."""
    return real_app()


def native_telemetry_on():
    """FastAPI's native OpenTelemetry at its default (on) as before issue 19's last cut: every
    request looks the global tracer, meter and logger providers up."""
    import dkbuza_kit.app as kit_app

    kit_app.NATIVE_TELEMETRY_OFF = {}
    return real_app()


def asyncpg_read():
    """The rule-set GET read with asyncpg directly (a pool of its own, the bare app's
    statement) instead of the ORM session: everything else of the stack stays (middleware,
    dependencies, the session dependency, the response model). What SQLAlchemy costs."""
    import json
    import os

    import asyncpg

    import disaster_fund.rules.service as rules
    from dkbuza_dev.postgres import plain_url

    url = plain_url(os.environ["DISASTER_FUND_DATABASE_URL"])
    pools = {}

    async def get(session, rule_set_id: int):
        if "pool" not in pools:
            pools["pool"] = await asyncpg.create_pool(url, min_size=2, max_size=20)
        row = dict(await pools["pool"].fetchrow(
            "SELECT id, regime, version, applies_from, applies_to, content, note, created_by, "
            "created_at FROM rule_sets WHERE id = $1", rule_set_id))
        return {**row, "content": json.loads(row["content"])}

    rules.get = get
    return real_app()


def gc_not_frozen():
    """The service without freezing its startup heap (`gc_freeze_after_startup` off)."""
    import os

    os.environ["DISASTER_FUND_GC_FREEZE_AFTER_STARTUP"] = "false"
    return real_app()
