"""Results of one run: goals of quality.md, `results/latest.json` and the table in README.md."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "latest.json"
README = BENCH_DIR / "README.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"

# id -> (what is measured, comparison, goal, unit of the value)
GOALS: dict[str, tuple[str, str, float | None, str]] = {
    "P1": ("req/s through the gateway / direct to the service (same GET, 32 connections)",
           ">=", 0.6, "ratio"),
    "P2": ("req/s through the gateway / through nginx as plain reverse proxy", ">=", 0.9, "ratio"),
    "P3": ("added p50 latency of the gateway at concurrency 1", "<=", 1.0, "ms"),
    "P4": ("gateway `/v1/kpis` p50 with every upstream delayed 50 ms / one 50 ms upstream",
           "<=", 1.2, "ratio"),
    "P5": ("disaster-fund KPI endpoint at 1,000,000 applications / the same aggregate as one "
           "hand-written SQL query", "<=", 2.0, "ratio"),
    "P6": ("KPI endpoint time at 1,000,000 applications / at 10,000", "<=", 3.0, "ratio"),
    "P7": ("applications created/s through the API / single-row insert transactions/s "
           "(plain asyncpg)", ">=", 0.25, "ratio"),
    "P8": ("customs debits/s: 50 licences, 32 clients, zero errors; and one hot licence line",
           "report", None, "debits/s"),
    "P9": ("peak RSS minus idle of a service answering a KPI / CSV export request over "
           "1,000,000 rows", "<=", 50.0, "MB"),
}


@dataclass
class Outcome:
    id: str
    value: float | None
    raw: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    error: str | None = None

    @property
    def met(self) -> bool | None:
        _, op, goal, _ = GOALS[self.id]
        if self.value is None or goal is None:
            return None
        return self.value >= goal if op == ">=" else self.value <= goal

    def as_dict(self) -> dict[str, Any]:
        what, op, goal, unit = GOALS[self.id]
        return {"id": self.id, "what": what,
                "goal": f"{op} {goal:g}" if goal is not None else "report",
                "value": None if self.value is None else round(self.value, 3), "unit": unit,
                "met": self.met, "note": self.note, "error": self.error, "raw": self.raw}

    def status(self) -> str:
        if self.error:
            return "ERROR"
        return {True: "met", False: "**missed**", None: "reported"}[self.met]


def _value_text(outcome: Outcome) -> str:
    if outcome.value is None:
        return "-"
    unit = GOALS[outcome.id][3]
    return f"{outcome.value:.3g} {unit}" if unit != "ratio" else f"{outcome.value:.3f}"


def table(outcomes: list[Outcome]) -> str:
    lines = ["| id | measured | goal | value | status | detail |", "|---|---|---|---|---|---|"]
    for outcome in outcomes:
        what, op, goal, _ = GOALS[outcome.id]
        goal_text = f"{op} {goal:g}" if goal is not None else "report both"
        detail = (outcome.error or outcome.note).replace("|", "/").replace("\n", " ")
        lines.append(f"| {outcome.id} | {what} | {goal_text} | {_value_text(outcome)} | "
                     f"{outcome.status()} | {detail} |")
    return "\n".join(lines)


def write(outcomes: list[Outcome], context: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {**context, "results": {o.id: o.as_dict() for o in outcomes}}
    RESULTS.write_text(json.dumps(document, indent=2, default=str) + "\n")
    machine = context["machine"]
    versions = context["versions"]
    section = "\n".join([
        START,
        f"Last run: {context['date']} on {machine['cpu_model']} ({machine['cpus']} CPUs, "
        f"{machine['memory_gb']} GB), Linux {machine['kernel']}; Python {versions['python']}, "
        f"PostgreSQL {versions['postgresql']}, {versions['wrk']}, {versions['nginx']}. "
        f"Took {context['duration_s']:.0f} s. Load average before/after: "
        f"{context['conditions']['loadavg_before']} / {context['conditions']['loadavg_after']}.",
        "",
        table(outcomes),
        "",
        "Other processes busy on the machine at the start (they make ratios noisy): "
        + (", ".join(f"`{p['name']}` {p['cpu_pct']}%" for p in
                     context["conditions"]["busy_processes_before"]) or "none") + ".",
        END,
    ])
    text = README.read_text() if README.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    README.write_text(head + section + tail)
