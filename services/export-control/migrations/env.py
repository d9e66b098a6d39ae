from dkbuza_kit.migrations import run_env
from export_control.models import Base
from export_control.settings import ExportControlSettings

run_env(Base.metadata, ExportControlSettings())
