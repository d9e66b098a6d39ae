"""The five apps as the run command and the compose test know them (no imports of services)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AppSpec:
    name: str          # URL prefix at the gateway and compose service name
    package: str       # import package
    directory: str     # folder in the repository
    port: int
    env_prefix: str
    database: str | None  # None: the app has no database (the gateway)
    settings: str      # "<module>:<class>"

    @property
    def factory(self) -> str:
        return f"{self.package}.main:create_app"

    def load(self) -> "LoadedApp":
        """The app's factory, settings class, alembic.ini and models, imported lazily (the
        last two None for an app without a database)."""
        from importlib import import_module

        main = import_module(f"{self.package}.main")
        module, _, name = self.settings.partition(":")
        settings_cls = getattr(import_module(module), name)
        if self.database is None:
            return LoadedApp(main.create_app, settings_cls, None, None)
        return LoadedApp(create_app=main.create_app, settings_cls=settings_cls,
                         alembic_ini=main.ALEMBIC_INI,
                         metadata=import_module(f"{self.package}.models").Base.metadata)


@dataclass(frozen=True)
class LoadedApp:
    create_app: Any
    settings_cls: Any
    alembic_ini: Path | None
    metadata: Any

    def __iter__(self):  # create_app, settings_cls, alembic_ini = spec.load()
        return iter((self.create_app, self.settings_cls, self.alembic_ini))


def app_named(name: str) -> AppSpec:
    for app in APPS:
        if app.name == name:
            return app
    raise KeyError(f"no app named {name!r}")


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


# The gateway keeps no data of its own: no database, no migrations.
GATEWAY = AppSpec("gateway", "gateway", "gateway", 8000, "GATEWAY_", None,
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
DATABASE_APPS = tuple(app for app in APPS if app.database is not None)
