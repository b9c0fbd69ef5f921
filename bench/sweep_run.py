"""Run one scheduler sweep in a process of its own and print its time and memory as JSON.

    PYTHONPATH=<code> python bench/sweep_run.py DATABASE_URL SWEEP NOW_ISO8601

Run as a script, with the measured tree on PYTHONPATH (this file imports nothing of bench/).
Memory is this process's own: the resident size just before the sweep starts (after importing
the code and connecting) and the peak (VmHWM) at its end. Not ru_maxrss: Linux carries that
over exec from the parent that forked this process, so it would show the benchmark's own size.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from pathlib import Path


def status_kib(field: str) -> int:
    """Return a size from /proc/self/status: VmRSS (resident now) or VmHWM (the most resident since exec)."""
    match = re.search(rf"{field}:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(match.group(1)) if match else 0


def main() -> None:
    url, name, when = sys.argv[1:4]
    from scheduler import sweeps
    from storage.db import Database

    sweep = getattr(sweeps, name)
    now = dt.datetime.fromisoformat(when)
    db = Database(url)
    with db.engine.connect():
        pass
    before = status_kib("VmRSS")
    started = time.perf_counter()
    done = sweep(db, now)
    seconds = time.perf_counter() - started
    peak = status_kib("VmHWM")
    db.dispose()
    print(json.dumps({"sweep": name, "done": done, "seconds": seconds, "rss_before_kib": before, "peak_kib": peak}))


if __name__ == "__main__":
    main()
