from dkbuza_kit.migrations import run_env
from planning.models import Base
from planning.settings import PlanningSettings

# The class, not an instance: built only when alembic is not given the URL.
run_env(Base.metadata, PlanningSettings)
