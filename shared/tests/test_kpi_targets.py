"""dkbuza_kit.kpis.KpiTargets: a KPI's target comes from the data file by the KPI's id."""

import json
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from dkbuza_kit.kpis import Direction
from dkbuza_kit.kpis import KpiPeriod
from dkbuza_kit.kpis import KpiStatus
from dkbuza_kit.kpis import KpiTargets
from dkbuza_kit.kpis import KpiUnit

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def build(targets: KpiTargets, kpi_id: str, value: float | None):
    return targets.kpi(id=kpi_id, title_nl="t", title_en="t", unit=KpiUnit.count, value=value,
                       direction=Direction.lower_is_better,
                       period=KpiPeriod.as_of(date(2026, 12, 7)), computed_at=NOW)


@pytest.fixture
def targets(tmp_path, monkeypatch):
    path = tmp_path / "targets.json"
    path.write_text(json.dumps({
        "_about": "not a target",
        "backlog": {"value": 10, "source": "plan indicator 4", "working_value": False},
        "late": {"value": 0, "source": "working value", "working_value": True},
    }))
    monkeypatch.delenv("TEST_KPI_TARGETS_FILE", raising=False)
    return KpiTargets(path, "TEST_KPI_TARGETS_FILE")


@pytest.mark.parametrize(("kpi_id", "value", "target", "source", "working", "status"), [
    ("backlog", 8, 10, "plan indicator 4", False, KpiStatus.met),
    ("backlog", 11, 10, "plan indicator 4", False, KpiStatus.at_risk),
    ("backlog", None, 10, "plan indicator 4", False, KpiStatus.no_data),
    ("late", 3, 0, "working value", True, KpiStatus.missed),
    # No entry for the id (nor for a key starting with "_"): no target, never "met".
    ("unlisted", 0, None, None, False, KpiStatus.no_target),
    ("_about", 0, None, None, False, KpiStatus.no_target),
])
def test_the_target_is_the_file_s_entry_for_the_kpi_id(targets, kpi_id, value, target, source,
                                                        working, status):
    kpi = build(targets, kpi_id, value)
    assert (kpi.target, kpi.target_source, kpi.target_working_value, kpi.status) == (
        target, source, working, status)


def test_the_environment_names_another_file_without_a_code_change(targets, tmp_path,
                                                                  monkeypatch):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"unlisted": {"value": 1, "source": "decision 2026/12"}}))
    monkeypatch.setenv("TEST_KPI_TARGETS_FILE", str(other))
    kpi = build(targets, "unlisted", 0)
    assert (kpi.target, kpi.target_source, kpi.status) == (1, "decision 2026/12", KpiStatus.met)
