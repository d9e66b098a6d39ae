"""Load generation with wrk pinned to one core, and the Debian tools the benchmark needs.

Every run is bounded by `-d<seconds>`; the Lua scripts in `lua/` print one JSON line with the
raw figures (requests, errors by kind, latency percentiles in microseconds).
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import psutil

LUA_DIR = Path(__file__).resolve().parent / "lua"
# The load generator's core: the last one (the apps and PostgreSQL are not pinned).
LOAD_CPU = str((os.cpu_count() or 1) - 1)


def ensure_tool(binary: str, package: str) -> str:
    """Path of `binary`, installing the Debian package when it is missing."""
    found = shutil.which(binary) or next(
        (str(p) for p in (Path("/usr/sbin") / binary, Path("/usr/bin") / binary) if p.exists()),
        None)
    if found:
        return found
    print(f"[bench] {binary} missing: apt-get install -y {package}", flush=True)
    # RUNLEVEL=1 keeps Debian's maintainer scripts from starting nginx as a system service.
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", package], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    found = shutil.which(binary) or (f"/usr/sbin/{binary}"
                                     if Path(f"/usr/sbin/{binary}").exists() else None)
    if not found:
        raise RuntimeError(f"{binary} not found after installing {package}")
    return found


@dataclass
class WrkResult:
    url: str
    connections: int
    seconds: float
    requests: int
    errors: dict[str, int]
    latency_us: dict[str, float]
    label: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict:
        return {"label": self.label, "url": self.url, "connections": self.connections,
                "seconds": round(self.seconds, 3), "requests": self.requests,
                "rps": round(self.rps, 1), "errors": self.errors,
                "latency_ms": {k: round(v / 1000, 3) for k, v in self.latency_us.items()},
                **self.extra}


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 10 s: every process a bench run starts ends with it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int, *, with_children: bool = False) -> float:
    """CPU time (user + system) of a process, or of its children (PostgreSQL's backends)."""
    try:
        process = psutil.Process(pid)
        targets = process.children() if with_children else [process]
    except psutil.Error:
        return 0.0
    total = 0.0
    for target in targets:
        try:
            times = target.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def wrk(url: str, *, connections: int, seconds: int, script: str = "report.lua",
        headers: dict[str, str] | None = None, env: dict[str, str] | None = None,
        timeout_s: int = 10, label: str = "",
        watch: dict[str, tuple[int, bool]] | None = None) -> WrkResult:
    """One wrk run (one thread, `connections` connections) pinned to LOAD_CPU.

    `watch` maps a name to (pid, children): the CPU time per request of that process, or of
    its children (nginx's worker, PostgreSQL's backends), is recorded; other load on the
    machine disturbs that figure much less than requests/s."""
    watch = watch or {}
    before = {name: cpu_seconds(pid, with_children=children)
              for name, (pid, children) in watch.items()}
    command = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
               f"--timeout={timeout_s}s", "-s", str(LUA_DIR / script)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + timeout_s + 30,
        env={**os.environ, "BENCH_LUA_DIR": str(LUA_DIR), **(env or {})})
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stdout[-2000:]}"
                           f"{completed.stderr[-2000:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    # max(0, ...): backends that exit during the run take their CPU time with them.
    cpu = {name: round(max(0.0, cpu_seconds(pid, with_children=children) - before[name]) * 1000
                       / max(1, data["requests"]), 3)
           for name, (pid, children) in watch.items()}
    return WrkResult(url=url, connections=connections, seconds=data["duration_us"] / 1e6,
                     requests=data["requests"], errors=data["errors"],
                     latency_us=data["latency_us"], label=label,
                     extra={"cpu_ms_per_request": cpu} if cpu else {})


def tool_versions(nginx: str | None) -> dict[str, str]:
    def first_line(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=10)
        except OSError as exc:
            return f"unavailable ({exc})"
        return (done.stdout + done.stderr).strip().splitlines()[0] if (done.stdout + done.stderr) \
            else "unknown"

    return {"wrk": first_line(["wrk", "--version"]).split(" [")[0],
            "nginx": first_line([nginx, "-v"]) if nginx else "not used"}
