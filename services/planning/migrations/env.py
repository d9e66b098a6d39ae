from dkbuza_kit.migrations import run_env
from planning.models import Base
from planning.settings import PlanningSettings

run_env(Base.metadata, PlanningSettings())
