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
    settings: str      # "<module>:<class>"

    @property
    def factory(self) -> str:
        return f"{self.package}.main:create_app"

    def load(self):
        """(create_app, settings class, alembic.ini path) of this app, imported lazily."""
        from importlib import import_module

        main = import_module(f"{self.package}.main")
        module, _, name = self.settings.partition(":")
        return main.create_app, getattr(import_module(module), name), main.ALEMBIC_INI


# Every role each app knows (the security suite uses them to reach past role checks).
ROLES = {
    "planning": ("planning.reader", "planning.reporter", "planning.manager", "kpi.reader"),
    "disaster-fund": ("vrf.citizen", "vrf.municipality", "vrf.handler", "vrf.expert",
                      "vrf.manager", "kpi.reader"),
    "export-control": ("csg.applicant", "csg.officer", "csg.head", "csg.minister",
                       "csg.customs", "kpi.reader"),
    "statistics": ("sv.entity", "vsa.staff", "kpi.reader"),
    "gateway": ("kpi.reader",),
}


GATEWAY = AppSpec("gateway", "gateway", "gateway", 8000, "GATEWAY_", "gateway",
                  "gateway.settings:GatewaySettings")
SERVICES = (
    AppSpec("planning", "planning", "services/planning", 8001, "PLANNING_", "planning",
            "planning.settings:PlanningSettings"),
    AppSpec("disaster-fund", "disaster_fund", "services/disaster-fund", 8002, "DISASTER_FUND_",
            "disaster_fund", "disaster_fund.settings:DisasterFundSettings"),
    AppSpec("export-control", "export_control", "services/export-control", 8003,
            "EXPORT_CONTROL_", "export_control", "export_control.settings:ExportControlSettings"),
    AppSpec("statistics", "vsp_statistics", "services/statistics", 8004, "STATISTICS_",
            "statistics", "vsp_statistics.settings:VspStatisticsSettings"),
)
APPS = (GATEWAY, *SERVICES)
