"""What else the machine is doing: CPU used by processes that are not the benchmark's own.

On a shared machine (other people's tests on the same 2 cores) a benchmark's figures are only
worth what the machine gave it. `Neighbours` samples /proc once a second: the machine's busy
CPU minus this process's tree (the load generator, gunicorn and its workers, the schedulers,
the sweeps) and the PostgreSQL backends serving a bench_* database. A benchmark waits for a
quiet machine before each measurement (`quiet`) and reports the mean of the rest (`mean`).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
QUIET = 0.25  # CPUs: below this the neighbours count as quiet


def _busy_seconds() -> float:
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICK


def _ours() -> dict[int, float]:
    """Return CPU seconds (user + system) of each live process of this tree and of each bench_* backend.

    This process itself is keyed 0 (its own threads only). A process that ends between two
    samples loses its last second here (counted as the others'), and its CPU must not come
    back through its parent's reaped-children times: those are not read.
    """
    times = os.times()
    found = {0: times.user + times.system}
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            pid = int(entry.name)
            parents[pid] = int(fields[1])
            cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
            if "(postgres)" in stat and b"bench_" in (entry / "cmdline").read_bytes():
                found[pid] = cpu[pid]
        except (OSError, ValueError, IndexError):
            continue
    me = os.getpid()
    for pid in cpu:
        ancestor, hops = parents.get(pid), 0
        while ancestor and ancestor != me and hops < 20:
            ancestor, hops = parents.get(ancestor), hops + 1
        if ancestor == me:
            found[pid] = cpu[pid]
    return found


def _ours_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """Return the CPU our processes used between two samples (a new process: all of its time)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


class Neighbours:
    """Sample the other processes' CPU once a second, in a daemon thread."""

    def __init__(self, patience: float = 60.0) -> None:
        self.patience = patience  # the longest quiet() waits
        self.samples: list[float] = []  # CPUs used by others, one per second
        self.measured: list[float] = []  # the samples taken during measurements (see since)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        cpus = os.cpu_count() or 1
        busy, ours, at = _busy_seconds(), _ours(), time.monotonic()
        while not self._stop.wait(1.0):
            now_busy, now_ours, now = _busy_seconds(), _ours(), time.monotonic()
            others = ((now_busy - busy) - _ours_delta(ours, now_ours)) / (now - at)
            self.samples.append(min(float(cpus), max(0.0, others)))
            busy, ours, at = now_busy, now_ours, now

    def quiet(self) -> float:
        """Wait (at most `patience` seconds) until the others used under QUIET CPUs for 2 s; return the wait."""
        started = time.monotonic()
        while time.monotonic() - started < self.patience:
            recent = self.samples[-2:]
            if len(recent) == 2 and max(recent) < QUIET:
                break
            time.sleep(0.5)
        return time.monotonic() - started

    def mark(self) -> int:
        """Return a mark to measure from (see since)."""
        return len(self.samples)

    def since(self, mark: int) -> float:
        """Return the CPUs the others used on average since the mark."""
        recent = self.samples[mark:]
        self.measured += recent
        return sum(recent) / len(recent) if recent else 0.0

    @property
    def mean(self) -> float:
        """Return the CPUs the others used on average during the measurements."""
        return sum(self.measured) / len(self.measured) if self.measured else 0.0

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def note(self) -> str:
        """Say how busy the rest of the machine was, for the report."""
        peak = max(self.measured, default=0.0)
        text = (
            f"Other processes on the machine used {self.mean:.2f} CPUs on average while this measured "
            f"(at most {peak:.1f} in a second; of {os.cpu_count()})."
        )
        if self.mean >= QUIET:
            text += " The machine was shared: these figures are lower than an idle machine would give."
        return text
