from dkbuza_kit.migrations import run_env
from export_control.models import Base
from export_control.settings import ExportControlSettings

# The class, not an instance: built only when alembic is not given the URL.
run_env(Base.metadata, ExportControlSettings)
