"""The disaster-fund worker: `python -m disaster_fund.worker` runs scheduled jobs from the queue."""

import asyncio

from dkbuza_kit.db import create_engine, create_sessionmaker
from dkbuza_kit.jobs import TaskRegistry, worker_loop
from dkbuza_kit.logs import configure_logging
from disaster_fund.settings import DisasterFundSettings

registry = TaskRegistry()


async def main() -> None:
    settings = DisasterFundSettings()
    configure_logging(settings.log_level, settings.log_json)
    engine = create_engine(settings.database_url, pool_size=2, max_overflow=2)
    try:
        await worker_loop(create_sessionmaker(engine), registry,
                          poll_seconds=settings.worker_poll_seconds)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
