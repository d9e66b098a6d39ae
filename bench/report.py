"""Results of one run: goals of quality.md, `results/latest.json` and the table in README.md."""

import json
from dataclasses import dataclass
from dataclasses import field
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
    "P10": ("service CPU per request / a bare FastAPI + asyncpg app's (same authenticated GET "
            "of one row; same application submission): the worse of the two", "<=", 2.0,
            "ratio"),
}

# Working values (no standard fixes them): over a benchmark's window, when processes other
# than the benchmark's used more than this share of the machine's CPU capacity (0.25 = half a
# core of 2), or the hypervisor stole more than this share, the benchmark's own processes
# competed for the cores and a ratio of two of them no longer says what the stack costs; the
# verdict is then "inconclusive", never "met" (nor "missed").
BUSY_OTHER_CPU_SHARE = 0.25
BUSY_STEAL_SHARE = 0.10
# Goals that other load on the CPUs does not distort (peak memory of one request).
LOAD_INSENSITIVE = frozenset({"P9"})


@dataclass(frozen=True)
class Load:
    """The machine's load over one benchmark's window (see load.py)."""

    other_cpu_share: float   # CPU used by processes not the benchmark's / (seconds x CPUs)
    steal_share: float       # CPU stolen by the hypervisor / (seconds x CPUs)
    loadavg_max: float
    cpus: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"other_cpu_share": self.other_cpu_share, "steal_share": self.steal_share,
                "loadavg_max": self.loadavg_max, "cpus": self.cpus, "seconds": self.seconds}


def busy_reason(load: Load | None) -> str | None:
    """Why the machine was too busy for a ratio to mean something, or None."""
    if load is None:
        return "machine load not measured"
    reasons = []
    if load.other_cpu_share > BUSY_OTHER_CPU_SHARE:
        reasons.append(f"other processes used {load.other_cpu_share:.0%} of the CPU capacity "
                       f"(limit {BUSY_OTHER_CPU_SHARE:.0%})")
    if load.steal_share > BUSY_STEAL_SHARE:
        reasons.append(f"hypervisor steal {load.steal_share:.0%} (limit {BUSY_STEAL_SHARE:.0%})")
    return "; ".join(reasons) or None


def verdict(goal: tuple[str, float | None], value: float | None, load: Load | None,
            load_sensitive: bool = True) -> str:
    """"met", "missed", "reported" (no goal) or "inconclusive: machine busy (<why>)".

    Pure: `goal` is (">=" or "<=", target), `load` the machine's load over the benchmark.
    A busy (or unmeasured) machine makes both "met" and "missed" inconclusive: the value is
    still reported, the verdict is not claimed."""
    op, target = goal
    if target is None:
        return "reported"
    if value is None:
        return "missed"
    why = busy_reason(load) if load_sensitive else None
    if why:
        return f"inconclusive: machine busy ({why})"
    return "met" if (value >= target if op == ">=" else value <= target) else "missed"


@dataclass
class Outcome:
    id: str
    value: float | None
    raw: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    error: str | None = None
    load: Load | None = None

    @property
    def verdict(self) -> str:
        _, op, goal, _ = GOALS[self.id]
        return verdict((op, goal), self.value, self.load,
                       load_sensitive=self.id not in LOAD_INSENSITIVE)

    @property
    def met(self) -> bool | None:
        """True/False only when the verdict is "met"/"missed" (None: no goal or inconclusive)."""
        return {"met": True, "missed": False}.get(self.verdict)

    def as_dict(self) -> dict[str, Any]:
        what, op, goal, unit = GOALS[self.id]
        return {"id": self.id, "what": what,
                "goal": f"{op} {goal:g}" if goal is not None else "report",
                "value": None if self.value is None else round(self.value, 3), "unit": unit,
                "met": self.met, "verdict": "error" if self.error else self.verdict,
                "load": self.load.as_dict() if self.load else None,
                "note": self.note, "error": self.error, "raw": self.raw}

    def status(self) -> str:
        if self.error:
            return "ERROR"
        result = self.verdict
        return "**missed**" if result == "missed" else result


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


def _load_text(load: dict[str, Any] | None) -> str:
    if not load:
        return "machine load not measured"
    return (f"over the run other processes used {load['other_cpu_share']:.0%} of the CPU "
            f"capacity, steal {load['steal_share']:.0%} (a benchmark is inconclusive above "
            f"{BUSY_OTHER_CPU_SHARE:.0%} / {BUSY_STEAL_SHARE:.0%} in its own window)")


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
        f"{context['conditions']['loadavg_before']} / {context['conditions']['loadavg_after']}; "
        + _load_text(context["conditions"].get("load_over_run")) + ".",
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
