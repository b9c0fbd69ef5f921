"""What every benchmark reports: the machine, the command line, a Markdown table, and its section of BENCHMARKS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import re
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import servers

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "BENCHMARKS.md"
PACKAGES = ("flask", "werkzeug", "gunicorn", "sqlalchemy", "psycopg", "twilio", "apscheduler", "alembic")

INTRO = """# Benchmarks

Written by the commands in `bench/` (see the README's [Benchmarks](README.md#benchmarks)); each
run replaces its own section. Every section says the machine, the versions, the code measured
(its commit), the exact command line and the date. Figures from different machines do not compare.
"""


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Add the options every benchmark takes: smoke, code, label, output, databases, PostgreSQL."""
    parser.add_argument("--smoke", action="store_true", help="seconds, tiny sizes: does it still work?")
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="the tree whose hotline is measured (default: this one); e.g. a git worktree of an older commit",
    )
    parser.add_argument(
        "--label",
        default=None,
        help="the heading the figures go under in BENCHMARKS.md, e.g. 'before' (default: 'current')",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="the Markdown file to write the section to (default: BENCHMARKS.md; with --smoke: none)",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgres", help="which to run on, comma-separated: sqlite, postgres"
    )
    parser.add_argument(
        "--postgres",
        default=servers.DEFAULT_POSTGRES,
        help="a PostgreSQL server URL to make fresh bench_* databases on (HOTLINE_BENCH_POSTGRES_URL)",
    )


def databases(args: argparse.Namespace) -> list[str]:
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    unknown = set(kinds) - {"sqlite", "postgres"}
    if unknown:
        sys.exit(f"unknown database kind(s): {', '.join(sorted(unknown))}")
    return kinds


def output_path(args: argparse.Namespace) -> Path | None:
    if args.output is not None:
        return args.output
    return None if args.smoke else BENCHMARKS


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a Markdown table (numbers right-aligned)."""
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if numeric[i] else "---" for i in range(len(headers))) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def code_version(code: Path) -> str:
    """Return the commit of the measured tree, with '+ uncommitted changes' when it has any."""
    try:
        sha = subprocess.run(
            ["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(code), "status", "--porcelain", "--untracked-files=no", "--", "hotline", "conversations"]
            + ["storage", "scheduler", "wsgi.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"{sha} + uncommitted changes" if dirty else sha


def machine(postgres_version: str | None) -> str:
    """Describe the machine and the versions, in one Markdown paragraph."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    versions = ", ".join(f"{name} {_version(name)}" for name in PACKAGES)
    return (
        f"Machine: {os.cpu_count()} CPUs ({model}){memory}, {platform.system()} {platform.release()}. "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {postgres_version or 'not used'}; {versions}."
    )


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def command_line() -> str:
    """Return the command as it was typed, from the repository's root."""
    program = Path(sys.argv[0])
    try:
        module = ".".join(program.resolve().relative_to(ROOT).with_suffix("").parts)
        head = [".venv/bin/python", "-m", module]
    except ValueError:
        head = [sys.executable, str(program)]
    return " ".join(shlex.quote(part) for part in head + sys.argv[1:])


def section(
    benchmark: str, title: str, args: argparse.Namespace, postgres_version: str | None, body: str, notes: str
) -> str:
    """Return a benchmark's section: heading, machine, command, date, tables and notes."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"### {title}",
            "",
            f"Code: commit {code_version(args.code)}. {machine(postgres_version)}",
            "",
            f"Command: `{command_line()}` ({when}{', smoke sizes' if args.smoke else ''}).",
            "",
            body.strip(),
            "",
            notes.strip(),
        ]
    ).strip()


def label_of(args: argparse.Namespace) -> str:
    return (args.label or "current").strip().lower()


def label_heading(args: argparse.Namespace) -> str:
    label = label_of(args)
    return f"{label[:1].upper()}{label[1:]} (commit {code_version(args.code)})"


def publish(path: Path | None, benchmark: str, args: argparse.Namespace, text: str) -> None:
    """Print the section, and write it into its place in the Markdown file (replacing an older one)."""
    print(text, flush=True)
    if path is None:
        return
    label = label_of(args)
    begin, end = f"<!-- bench {benchmark} {label} -->", f"<!-- /bench {benchmark} {label} -->"
    group = f"<!-- bench-label {label} -->"
    document = path.read_text("utf-8") if path.exists() else INTRO
    block = f"{begin}\n{text}\n{end}"
    if begin in document and end in document:
        head, rest = document.split(begin, 1)
        document = head + block + rest.split(end, 1)[1]
    elif group in document:
        # After the label's last section (or its heading): before the next label's group.
        head, rest = document.split(group, 1)
        following = rest.find("<!-- bench-label ")
        if following == -1:
            document = head + group + rest.rstrip() + "\n\n" + block + "\n"
        else:
            document = head + group + rest[:following].rstrip() + "\n\n" + block + "\n\n" + rest[following:]
    else:
        document = document.rstrip() + f"\n\n{group}\n## {label_heading(args)}\n\n{block}\n"
    path.write_text(document, "utf-8")
    print(f"\n(written to {path})", flush=True)
