from sqlalchemy import MetaData

from dkbuza_kit.migrations import run_env

# The test app's own table (widgets) is reached through Core in the tests; no models to diff.
run_env(MetaData(), "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
