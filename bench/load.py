"""How busy the machine was while a benchmark ran: the CPU used by processes that are not the
benchmark's (other engineers' tests and servers), CPU stolen by the hypervisor, load average.

A thread samples every `INTERVAL_S`: the machine's CPU time from /proc/stat and the CPU time
of the benchmark's own processes (this one, every descendant - apps, wrk, nginx, stubs - with
the time of children already reaped, and the PostgreSQL postmaster with its backends). The
difference is the others' share. `between(t0, t1)` sums the samples of one benchmark's window.
"""

import contextlib
import os
import threading
import time

import psutil
from report import Load

INTERVAL_S = 0.5
_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat() -> tuple[float, float]:
    """(busy seconds, steal seconds) of all CPUs since boot."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / _TICKS, steal / _TICKS


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def own_cpu_seconds(extra_root: int | None = None) -> float:
    """CPU seconds of this process tree (plus `extra_root`'s tree, e.g. the postmaster)."""
    me = psutil.Process()
    own = os.times()
    total = own.user + own.system + own.children_user + own.children_system
    seen = {me.pid}
    roots = []
    with contextlib.suppress(psutil.Error):
        roots += me.children(recursive=True)
    if extra_root:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(extra_root)
            roots += [root, *root.children(recursive=True)]
    for process in roots:
        if process.pid in seen:
            continue
        seen.add(process.pid)
        with contextlib.suppress(psutil.Error):
            total += _cpu(process)
    return total


class LoadMonitor:
    def __init__(self, extra_root: int | None = None) -> None:
        self.extra_root = extra_root
        self.cpus = os.cpu_count() or 1
        self.samples: list[tuple[float, float, float, float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        busy, steal = _proc_stat()
        self.samples.append((time.monotonic(), busy, steal, own_cpu_seconds(self.extra_root),
                             os.getloadavg()[0]))

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):
                self._sample()
            self._stop.wait(INTERVAL_S)

    def start(self) -> "LoadMonitor":
        self._sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def between(self, t0: float, t1: float | None = None) -> Load | None:
        """The load over [t0, t1] (now when t1 is None), or None with fewer than 2 samples."""
        self._sample()
        t1 = time.monotonic() if t1 is None else t1
        window = [s for s in self.samples if t0 - INTERVAL_S <= s[0] <= t1 + INTERVAL_S]
        if len(window) < 2:
            return None
        first, last = window[0], window[-1]
        elapsed = last[0] - first[0]
        capacity = elapsed * self.cpus
        if capacity <= 0:
            return None
        others = max(0.0, (last[1] - first[1]) - max(0.0, last[3] - first[3]))
        return Load(other_cpu_share=round(others / capacity, 3),
                    steal_share=round(max(0.0, last[2] - first[2]) / capacity, 3),
                    loadavg_max=round(max(s[4] for s in window), 2), cpus=self.cpus,
                    seconds=round(elapsed, 1))
