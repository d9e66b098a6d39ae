from disaster_fund.models import Base
from disaster_fund.settings import DisasterFundSettings
from dkbuza_kit.migrations import run_env

# The class, not an instance: built only when alembic is not given the URL.
run_env(Base.metadata, DisasterFundSettings)
