"""The export-control worker: `python -m export_control.worker` runs scheduled jobs from the queue."""

import asyncio

from dkbuza_kit.db import create_engine, create_sessionmaker
from dkbuza_kit.jobs import worker_loop
from dkbuza_kit.logs import configure_logging
from export_control.jobs import registry
from export_control.settings import ExportControlSettings

__all__ = ["main", "registry"]


async def main() -> None:
    settings = ExportControlSettings()
    configure_logging(settings.log_level, settings.log_json)
    engine = create_engine(settings.database_url, pool_size=2, max_overflow=2)
    try:
        await worker_loop(create_sessionmaker(engine), registry,
                          poll_seconds=settings.worker_poll_seconds)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
