"""Run every benchmark, one after the other, with the same options.

    .venv/bin/python -m bench.all [--smoke] [--code DIR] [--label before] [--output FILE] [--databases ...]

The options are passed to each of bench.webhook, bench.rush and bench.scheduler_scale (see
their --help for their own sizes). With --smoke it takes seconds: .ci/run runs it so the
scripts keep working. It fails when any of them fails.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = ("bench.webhook", "bench.rush", "bench.scheduler_scale")


def main() -> None:
    if any(flag in sys.argv[1:] for flag in ("-h", "--help")):
        print(__doc__)
        return
    failed = []
    for module in BENCHMARKS:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", module, *sys.argv[1:]])
        print(f"== {module}: {'ok' if done.returncode == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s\n")
        if done.returncode != 0:
            failed.append(module)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
