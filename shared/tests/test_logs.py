"""One access line per request: the kit's (`dkbuza.access`, written by the request-context
middleware). uvicorn writes its own access line whenever its `uvicorn.access` logger has a
handler (`access_log = access_logger.hasHandlers()` in its HTTP protocols); the kit routed that
logger into its JSON format, so every request was logged twice, after `--no-access-log` too."""

import logging

import uvicorn

from dkbuza_kit.logs import configure_logging


def test_uvicorn_writes_no_access_line_of_its_own_next_to_the_kits():
    for access_log in (False, True):
        # The order of a real start: uvicorn configures its loggers, then loads the app
        # factory, whose create_app configures the kit's logging.
        uvicorn.Config("dkbuza_kit:__name__", access_log=access_log).configure_logging()
        configure_logging("INFO", json=True, service="test")
        assert not logging.getLogger("uvicorn.access").hasHandlers(), access_log
        # uvicorn's other lines (startup, errors) still come out in the kit's format.
        assert logging.getLogger("uvicorn.error").handlers
