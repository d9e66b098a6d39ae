"""Per-request context (request id, actor, app) carried in contextvars for logs and audit rows."""

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
actor_var: ContextVar[str | None] = ContextVar("actor", default=None)
# The app answering (several apps may share a process in tests; logs name the right one).
service_var: ContextVar[str | None] = ContextVar("service", default=None)
