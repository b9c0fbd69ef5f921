"""What a benchmark starts and stops: fresh databases, the hotline's CLI, gunicorn, the fake Twilio.

The code measured is a tree given by path (--code): its processes run with that tree first on
PYTHONPATH and as their working directory, with this checkout's interpreter and packages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

BENCH = Path(__file__).resolve().parent
DEFAULT_POSTGRES = os.environ.get("HOTLINE_BENCH_POSTGRES_URL") or os.environ.get(
    "HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
AUTH_TOKEN = "bench-auth-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Database:
    """A fresh database: its kind ("sqlite" or "postgres") and SQLAlchemy URL."""

    kind: str
    url: str

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url)


@contextlib.contextmanager
def fresh_database(kind: str, server: str = DEFAULT_POSTGRES) -> Iterator[Database]:
    """Make an empty database (a new SQLite file, or a bench_* database on the server); drop it after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            yield Database(kind, f"sqlite:///{Path(folder) / 'hotline.db'}")
        return
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield Database(kind, admin.url.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_version(server: str) -> str | None:
    """Return the server's version, or None when it does not answer."""
    try:
        engine = sa.create_engine(server)
        with engine.connect() as connection:
            version = str(connection.execute(sa.text("SHOW server_version")).scalar())
        engine.dispose()
        return version.split()[0]
    except sa.exc.OperationalError:
        return None


def environment(code: Path, database: Database, **settings: str) -> dict[str, str]:
    """Return the environment a process of the measured code runs with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_")) and k != "PUBLIC_URL"}
    env.update(
        PYTHONPATH=str(code.resolve()),
        DATABASE_URL=database.url,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        SECRET_KEY="bench-secret-key",
    )
    env.update(settings)
    return env


def hotline(code: Path, database: Database, *arguments: str, **settings: str) -> str:
    """Run the measured code's `hotline` CLI; return what it printed (raise on failure)."""
    done = subprocess.run(
        [sys.executable, "-m", "hotline", *arguments],
        cwd=code,
        env=environment(code, database, **settings),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"hotline {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Server:
    """A running gunicorn: where it answers, and its processes."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def cpu_seconds(self) -> float:
        """Return the CPU time (user + system) used so far by the master and its workers."""
        return sum(_cpu_seconds(pid) for pid in [self.process.pid, *_children(self.process.pid)])


def _children(pid: int) -> list[int]:
    try:
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
        return found
    except OSError:
        return []


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def gunicorn(app: str, chdir: Path, env: dict[str, str], workers: int) -> Iterator[Server]:
    """Serve app (module:variable, found in chdir) with gunicorn's sync workers on a free local port."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    env = {**env, "PUBLIC_URL": f"http://127.0.0.1:{port}"}
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    # The measured tree's gunicorn.conf.py (gunicorn reads it from the working directory) is its
    # deployment's settings: given explicitly, so that the bare app runs under the same ones.
    config = Path(env["PYTHONPATH"]) / "gunicorn.conf.py"
    if config.exists():
        command += ["--config", str(config)]
    command += ["--chdir", str(chdir), "--pythonpath", str(chdir), app]
    with log.open("wb") as sink:
        # cwd too: `python -m` puts the working directory first on sys.path, before PYTHONPATH.
        process = subprocess.Popen(command, cwd=chdir, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_healthy(server, workers)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown: nothing in flight by now
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.unlink(missing_ok=True)


def _wait_until_healthy(server: Server, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as answer:
                if answer.status == 200 and len(_children(server.process.pid)) >= workers:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start:\n{server.log.read_text(errors='replace')[-3000:]}")


def server_log_tail(server: Server, size: int = 2000) -> str:
    try:
        return server.log.read_text(errors="replace")[-size:]
    except OSError:
        return ""
