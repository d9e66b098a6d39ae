"""The five apps as the run command and the compose test know them (no imports of services)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AppSpec:
    name: str          # URL prefix at the gateway and compose service name
    package: str       # import package
    directory: str     # folder in the repository
    port: int
    env_prefix: str
    database: str

    @property
    def factory(self) -> str:
        return f"{self.package}.main:create_app"


GATEWAY = AppSpec("gateway", "gateway", "gateway", 8000, "GATEWAY_", "gateway")
SERVICES = (
    AppSpec("planning", "planning", "services/planning", 8001, "PLANNING_", "planning"),
    AppSpec("disaster-fund", "disaster_fund", "services/disaster-fund", 8002, "DISASTER_FUND_",
            "disaster_fund"),
    AppSpec("export-control", "export_control", "services/export-control", 8003,
            "EXPORT_CONTROL_", "export_control"),
    AppSpec("statistics", "vsp_statistics", "services/statistics", 8004, "STATISTICS_",
            "statistics"),
)
APPS = (GATEWAY, *SERVICES)
