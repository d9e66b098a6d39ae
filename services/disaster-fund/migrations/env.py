from disaster_fund.models import Base
from disaster_fund.settings import DisasterFundSettings
from dkbuza_kit.migrations import run_env

run_env(Base.metadata, DisasterFundSettings())
