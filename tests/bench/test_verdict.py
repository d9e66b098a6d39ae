"""The benchmark's verdict (bench/report.py): never "met" when the machine was too busy for a
ratio of two processes' figures to mean something, and it says why."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "bench_report", Path(__file__).resolve().parents[2] / "bench" / "report.py")
report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(report)

QUIET = report.Load(other_cpu_share=0.05, steal_share=0.0, loadavg_max=0.8, cpus=2, seconds=30)
BUSY = report.Load(other_cpu_share=0.60, steal_share=0.0, loadavg_max=4.5, cpus=2, seconds=30)
STOLEN = report.Load(other_cpu_share=0.0, steal_share=0.30, loadavg_max=1.0, cpus=2, seconds=30)
AT_LIMIT = report.Load(other_cpu_share=report.BUSY_OTHER_CPU_SHARE,
                       steal_share=report.BUSY_STEAL_SHARE, loadavg_max=1.0, cpus=2, seconds=30)


@pytest.mark.parametrize(("goal", "value", "load", "expected"), [
    ((">=", 0.6), 0.9, QUIET, "met"),
    ((">=", 0.6), 0.6, QUIET, "met"),
    ((">=", 0.6), 0.5, QUIET, "missed"),
    (("<=", 2.0), 1.5, QUIET, "met"),
    (("<=", 2.0), 2.5, QUIET, "missed"),
    (("<=", 2.0), 1.5, AT_LIMIT, "met"),
    (("<=", 2.0), None, QUIET, "missed"),
    (("report", None), 665.0, BUSY, "reported"),
    (("<=", 2.0), 1.5, BUSY, "inconclusive: machine busy"),
    (("<=", 2.0), 2.5, BUSY, "inconclusive: machine busy"),
    ((">=", 0.6), 0.9, STOLEN, "inconclusive: machine busy"),
    ((">=", 0.6), 0.9, None, "inconclusive: machine busy"),
])
def test_verdict(goal, value, load, expected):
    assert report.verdict(goal, value, load).startswith(expected)
    if expected == "met":
        assert report.verdict(goal, value, load) == "met"


@pytest.mark.parametrize(("load", "why"), [
    (BUSY, "other processes used 60% of the CPU capacity (limit 25%)"),
    (STOLEN, "hypervisor steal 30% (limit 10%)"),
    (None, "machine load not measured"),
])
def test_inconclusive_says_why(load, why):
    assert report.verdict(("<=", 2.0), 1.0, load) == f"inconclusive: machine busy ({why})"


def test_peak_memory_is_judged_on_a_busy_machine_too():
    assert report.verdict(("<=", 50.0), 11.6, BUSY, load_sensitive=False) == "met"
    assert report.Outcome("P9", 11.6, load=BUSY).verdict == "met"
    assert report.Outcome("P7", 0.3, load=BUSY).verdict.startswith("inconclusive")


def test_outcome_never_writes_met_when_busy():
    outcome = report.Outcome("P10", 1.2, load=BUSY)
    document = outcome.as_dict()
    assert document["met"] is None
    assert document["verdict"].startswith("inconclusive: machine busy")
    assert document["load"]["other_cpu_share"] == 0.6
    assert report.Outcome("P10", 1.2, load=QUIET).as_dict()["met"] is True
