from dkbuza_kit.migrations import run_env
from gateway.models import Base
from gateway.settings import GatewaySettings

run_env(Base.metadata, GatewaySettings())
