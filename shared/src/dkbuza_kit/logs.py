"""structlog configured for JSON lines on stdout, carrying the request id."""

import logging
import sys

import structlog

from dkbuza_kit.context import request_id_var


def _add_request_id(_, __, event_dict):
    request_id = request_id_var.get()
    if request_id and "request_id" not in event_dict:
        event_dict["request_id"] = request_id
    return event_dict


def _stdout_logger(*_args) -> structlog.PrintLogger:
    return structlog.PrintLogger(sys.stdout)


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _add_request_id,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        # Bound to the sys.stdout of the moment, not of import time (so test capture works).
        logger_factory=_stdout_logger,
        cache_logger_on_first_use=False,
    )
