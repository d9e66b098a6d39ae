from dkbuza_kit.migrations import run_env
from vsp_statistics.models import Base
from vsp_statistics.settings import VspStatisticsSettings

run_env(Base.metadata, VspStatisticsSettings())
