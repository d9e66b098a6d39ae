"""structlog configured for JSON lines on stdout, each carrying the app (`service`), the request
id and, when tracing is on, the trace and span ids. uvicorn's own lines (startup, errors) go
through the same processors, so an operator's log pipeline sees one format."""

import logging
import sys

import structlog
from opentelemetry import trace

from dkbuza_kit.context import request_id_var
from dkbuza_kit.context import service_var

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error")
# uvicorn writes an access line of its own whenever this logger has a handler; the kit's
# request-context middleware writes the one access line (with request id, route and actor).
UVICORN_ACCESS_LOGGER = "uvicorn.access"
_service = {"name": "dkbuza"}


def _add_request_id(_, __, event_dict):
    request_id = request_id_var.get()
    if request_id and "request_id" not in event_dict:
        event_dict["request_id"] = request_id
    return event_dict


def _add_service(_, __, event_dict):
    event_dict.setdefault("service", service_var.get() or _service["name"])
    return event_dict


def _add_trace(_, __, event_dict):
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def _stdout_logger(*_args) -> structlog.PrintLogger:
    return structlog.PrintLogger(sys.stdout)


class _StdoutHandler(logging.StreamHandler):
    """Writes to the sys.stdout of the moment, not of import time (so test capture works)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def _route_uvicorn_logs(renderer, shared: list, level: int) -> None:
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(level)
    access = logging.getLogger(UVICORN_ACCESS_LOGGER)
    access.handlers[:] = []
    access.propagate = False


def configure_logging(level: str = "INFO", json: bool = True, service: str | None = None) -> None:
    if service:
        _service["name"] = service
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    shared = [
        structlog.contextvars.merge_contextvars,
        _add_service,
        _add_request_id,
        _add_trace,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        # Bound to the sys.stdout of the moment, not of import time (so test capture works).
        logger_factory=_stdout_logger,
        cache_logger_on_first_use=False,
    )
    _route_uvicorn_logs(renderer, shared, numeric_level)
