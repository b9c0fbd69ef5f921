"""Load the webhook as Twilio would: many citizens booking at once, through gunicorn workers.

    .venv/bin/python scripts/bench_webhook.py [--citizens 60] [--capacity 40] [--workers 4]
        [--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

It makes a throwaway database (SQLite file, or a fresh database on the PostgreSQL server
given), starts gunicorn on a free local port with a signing auth token, and has every
citizen walk through a whole booking (8 signed messages) for the same session, all at once.
It prints throughput, latency percentiles, and checks that the session was never overbooked.
Only 127.0.0.1 is ever contacted; the run is bounded by the number of citizens.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-auth-token"
HOTLINE = "+6282176190771"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_database(server: str | None) -> tuple[str, callable]:
    if not server:
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return f"sqlite:///{path}", lambda: None
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def post(url: str, form: dict[str, str]) -> tuple[float, int, str]:
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(form).encode(), headers={"X-Twilio-Signature": signature}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
        return time.perf_counter() - started, response.status, body


def citizen(url: str, index: int, day: str) -> tuple[list[float], bool]:
    phone = f"+62812{7000000 + index:07d}"
    nik = f"167101{(index % 28) + 1:02d}0190{index + 1:04d}"
    latencies, booked = [], False
    name = "Warga " + "".join(chr(65 + int(d)) for d in str(index))  # names have no digits
    for text in ("halo", "1", "baru biasa", name, nik, day, "1", "YA"):
        form = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "From": f"whatsapp:{phone}",
            "To": f"whatsapp:{HOTLINE}",
            "Body": text,
            "NumMedia": "0",
        }
        seconds, status, body = post(url, form)
        assert status == 200, (status, body)
        latencies.append(seconds)
        booked = "Kode: PLG-" in body
    return latencies, booked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=60)
    parser.add_argument("--capacity", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()

    url_db, drop = make_database(args.database)
    env = {**os.environ, "DATABASE_URL": url_db, "TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_DEMO": ""}
    env.pop("PUBLIC_URL", None)
    hotline = [sys.executable, "-m", "hotline"]
    subprocess.run([*hotline, "init"], env=env, check=True, capture_output=True)
    engine = sa.create_engine(url_db)
    with engine.begin() as connection:  # the first session of every day gets the capacity under test
        connection.execute(
            sa.text("UPDATE office_sessions SET capacity = :c WHERE start = '08:00'"), {"c": args.capacity}
        )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "wsgi:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        day = next_weekday_text()
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.citizens) as pool:
            results = list(pool.map(lambda i: citizen(base + "/twilio/inbound", i, day), range(args.citizens)))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    latencies = sorted(s for run, _ in results for s in run)
    booked = sum(ok for _, ok in results)
    with engine.connect() as connection:
        in_db = connection.execute(
            sa.text(
                "SELECT count(*) FROM bookings b JOIN office_sessions s ON s.id = b.session_id "
                "WHERE s.start = '08:00' AND b.status IN ('booked', 'confirmed')"
            )
        ).scalar()
    engine.dispose()
    drop()
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"database: {'PostgreSQL' if args.database else 'SQLite'}, gunicorn workers: {args.workers}")
    print(
        f"citizens: {args.citizens}, capacity: {args.capacity}, requests: {len(latencies)} in {elapsed:.2f} s "
        f"({len(latencies) / elapsed:.0f} requests/s)"
    )
    print(
        f"latency: p50 {quantiles[49] * 1000:.0f} ms, p95 {quantiles[94] * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms"
    )
    print(f"booked: {booked} told a code, {in_db} bookings in the session (capacity {args.capacity})")
    if in_db > args.capacity or booked != in_db:
        sys.exit("OVERBOOKED or a booking the citizen was not told of")


def next_weekday_text() -> str:
    """Return the date three working days ahead as D/M: clear of today and of weekends."""
    import datetime as dt

    day = dt.date.today() + dt.timedelta(days=3)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return f"{day.day}/{day.month}"


if __name__ == "__main__":
    main()
