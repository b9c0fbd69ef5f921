"""The packages import one way (../shared/GUIDE.md): conversations <- storage <- scheduler <- hotline.

Read from the source tree, so a new upward import fails here before it tangles the packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("conversations", "storage", "scheduler", "hotline")
# What each package may import of the others.
ALLOWED = {
    "conversations": set(),
    "storage": {"conversations"},
    "scheduler": {"conversations", "storage"},
    "hotline": {"conversations", "storage", "scheduler"},
}
# hotline implements the scheduler's Transport; only the wiring runs the scheduler itself.
HOTLINE_MAY_IMPORT_OF_SCHEDULER = {"scheduler.transport"}
WIRING = {"hotline/cli.py", "wsgi.py"}
# Pure packages: no web framework, no database, no provider, no clock of their own.
FORBIDDEN_THIRD_PARTY = {
    "conversations": {"flask", "sqlalchemy", "twilio", "apscheduler", "requests"},
    "storage": {"flask", "twilio", "apscheduler"},
    "scheduler": {"flask", "twilio", "werkzeug"},
}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Return the absolute module names a file imports (at any depth: inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_packages_below_it(package):
    wrong = []
    for path in modules(package):
        for name in imported(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != package and top not in ALLOWED[package]:
                wrong.append(f"{relative(path)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_only_the_wiring_runs_the_scheduler():
    wrong = []
    for path in modules("hotline"):
        if relative(path) in WIRING:
            continue
        for name in imported(path):
            if name.split(".")[0] == "scheduler" and not any(
                name == allowed or name.startswith(allowed + ".") for allowed in HOTLINE_MAY_IMPORT_OF_SCHEDULER
            ):
                wrong.append(f"{relative(path)} imports {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", sorted(FORBIDDEN_THIRD_PARTY))
def test_a_pure_package_loads_no_framework(package):
    wrong = [
        f"{relative(path)} imports {name}"
        for path in modules(package)
        for name in imported(path)
        if name.split(".")[0] in FORBIDDEN_THIRD_PARTY[package]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_scheduler_process_never_loads_flask():
    # Follow every project module the scheduler reaches, however indirectly.
    seen: set[str] = set()
    todo = [relative(p)[:-3].replace("/", ".") for p in modules("scheduler")]
    reached_third_party: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = ROOT / (module.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT / module.replace(".", "/") / "__init__.py"
        if not path.exists():
            continue  # "package.name" of an imported object, not a module
        for name in imported(path):
            if name.split(".")[0] in PACKAGES:
                todo.append(name)
            else:
                reached_third_party.add(name.split(".")[0])
    assert not any(m.split(".")[0] == "hotline" for m in seen)
    assert "flask" not in reached_third_party


def clock_reads(path: Path) -> list[str]:
    """Return the calls in a file that read the real clock: datetime.now(), date.today(), time.time() …"""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (owner_name, node.func.attr) in CLOCKS:
                found.append(f"{owner_name}.{node.func.attr}() at line {node.lineno}")
    return found


CLOCKS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("dt", "now"),
}


def test_clock_reads_are_found(tmp_path):
    # The check below must be able to fail: a file that reads the clock is reported.
    assert clock_reads(Path(__file__)) == []  # CLOCKS is data here, not calls
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import datetime as dt\nimport time\n"
        "x = dt.datetime.now(); y = time.time(); z = dt.date.today(); w = dt.time()\n",
        "utf-8",
    )
    assert len(clock_reads(probe)) == 3


def test_the_conversation_machine_reads_no_clock_of_its_own():
    wrong = [f"{relative(path)}: {call}" for path in modules("conversations") for call in clock_reads(path)]
    assert not wrong, "\n".join(wrong)
