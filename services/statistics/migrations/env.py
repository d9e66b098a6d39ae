from dkbuza_kit.migrations import run_env
from vsp_statistics.models import Base
from vsp_statistics.settings import VspStatisticsSettings

# The class, not an instance: built only when alembic is not given the URL.
run_env(Base.metadata, VspStatisticsSettings)
