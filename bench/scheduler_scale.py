"""The scheduler at national scale: sweeps over 562,500 bookings, and send pacing across two processes.

    .venv/bin/python -m bench.scheduler_scale [--smoke] [--code DIR] [--label before]
        [--offices 125] [--days 30] [--places 150] [--sizes 50000,562500] [--databases sqlite,postgres]
        [--messages 400] [--rate 10]

Sweeps: for each size, a fresh database gets --offices offices (three sessions a day sharing
--places places) and that many bookings, seeded in bulk (COPY on PostgreSQL, executemany on
SQLite): every place of the first open day D, then of the next open days, up to the size
(--offices x --days x --places for the largest). Then, each in a process of its own, the
reminder sweep as of D-1 09:05 and the release sweep as of D-1 20:05 (office time) run over
it; their time and peak resident memory show whether they stay flat as the table grows (the
work due is the same at every size: the bookings of D).

Pacing: --messages queued messages of one office's WhatsApp sender, two `hotline scheduler`
processes sending them to the fake Twilio of tests/fakes at HOTLINE_SEND_RATE=--rate: the
measured rate must be within 5 % of the rate, never above it (any 1-second window), and every
message sent exactly once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench import report, servers
from bench.citizens import LETTERS, nik, open_days, phone
from bench.neighbours import Neighbours

WIB = ZoneInfo("Asia/Jakarta")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SESSIONS = (("08:00", "10:00"), ("10:00", "12:00"), ("13:00", "15:00"))


# --- offices and bookings, in bulk ---------------------------------------------------------------


def office_file(count: int, places: int) -> str:
    """Return an office file with count - 1 offices besides the default one (which `hotline init` loads)."""
    per_session = [places // 3 + (1 if i < places % 3 else 0) for i in range(3)]
    sessions = "".join(
        f'\n  [[office.sessions]]\n  start = "{start}"\n  end = "{end}"\n  capacity = {capacity}\n'
        for (start, end), capacity in zip(SESSIONS, per_session, strict=True)
    )
    entries = []
    for i in range(1, count):
        code = "X" + LETTERS[i // 26 % 26] + LETTERS[i % 26]
        entries.append(
            f'[[office]]\ncode = "{code}"\nname = "Kantor Imigrasi {code}"\nhotline = "+62821800{i:05d}"\n'
            f'timezone = "Asia/Jakarta"\naddress = "Jl. Bench No. {i}"\n'
            f'days = ["mon", "tue", "wed", "thu", "fri"]\nbook_ahead_days = 90\nclosed = []\n{sessions}'
        )
    return "\n".join(entries)


def booking_code(office: str, k: int) -> str:
    letters = ""
    for _ in range(6):
        k, digit = divmod(k, len(CODE_ALPHABET))
        letters += CODE_ALPHABET[digit]
    return f"{office}-{letters}"


def seed(database: servers.Database, places: int, days: list[dt.date], size: int, now: dt.datetime) -> float:
    """Book `size` places (a conversation each), day after day over every office; return the seconds it took."""
    started = time.monotonic()
    engine = database.engine()
    with engine.begin() as connection:
        offices = connection.execute(sa.text("SELECT id, code FROM offices ORDER BY id")).all()
        sessions = _group(
            connection.execute(
                sa.text("SELECT office_id, id FROM office_sessions WHERE only_on IS NULL ORDER BY office_id, start")
            ).all()
        )
        capacities = {
            row.id: row.capacity
            for row in connection.execute(sa.text("SELECT id, capacity FROM office_sessions")).all()
        }
    # The default office has the default file's capacities: give every office the same.
    with engine.begin() as connection:
        per_session = [places // 3 + (1 if i < places % 3 else 0) for i in range(3)]
        for ids in sessions.values():
            for session_id, capacity in zip(ids, per_session, strict=True):
                connection.execute(
                    sa.text("UPDATE office_sessions SET capacity = :c WHERE id = :i"), {"c": capacity, "i": session_id}
                )
                capacities[session_id] = capacity
    created = now - dt.timedelta(days=10)
    last_inbound = now - dt.timedelta(hours=1)
    conversations: list[tuple[Any, ...]] = []
    bookings: list[tuple[Any, ...]] = []
    k = 0
    for day in days:
        for office_id, code in offices:
            for session_id in sessions[office_id]:
                for _ in range(capacities[session_id]):
                    if k >= size:
                        break
                    k += 1
                    number = phone(k)
                    conversations.append((k, office_id, number, "whatsapp", "{}", "id", False, False))
                    conversations[-1] += (last_inbound, created, created)
                    bookings.append(
                        (k, booking_code(code, k), office_id, session_id, day, "booked", k, number, "whatsapp")
                        + ("new", "ordinary", f"Warga {k}", nik(k), created, created)
                    )
    conversation_columns = ["id", "office_id", "phone", "channel", "state", "language", "handover", "opted_out"]
    conversation_columns += ["last_inbound_at", "created_at", "updated_at"]
    booking_columns = ["id", "code", "office_id", "session_id", "date", "status", "conversation_id", "phone"]
    booking_columns += ["channel", "service", "passport_type", "name", "nik", "created_at", "booked_at"]
    insert = _copy if database.kind == "postgres" else _executemany
    insert(engine, "conversations", conversation_columns, conversations)
    insert(engine, "bookings", booking_columns, bookings)
    if database.kind == "postgres":
        with engine.begin() as connection:
            for table in ("conversations", "bookings"):
                connection.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))  # as autovacuum would after a load this size
    engine.dispose()
    return time.monotonic() - started


def _group(rows: Sequence[Any]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for key, value in rows:
        grouped.setdefault(key, []).append(value)
    return grouped


def _copy(engine: sa.Engine, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # As SQLAlchemy stores UTCDateTime on SQLite: naive UTC, with microseconds.
        return value.astimezone(dt.UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _executemany(engine: sa.Engine, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for start in range(0, len(rows), 50_000):
            cursor.executemany(statement, [tuple(map(_sqlite_value, row)) for row in rows[start : start + 50_000]])
        raw.commit()
    finally:
        raw.close()


# --- the sweeps, each in a process of its own ------------------------------------------------------


def run_sweep(
    args: argparse.Namespace, database: servers.Database, sweep: str, now: dt.datetime, neighbours: Neighbours
) -> dict[str, Any]:
    neighbours.quiet()
    mark = neighbours.mark()
    done = subprocess.run(
        [sys.executable, str(servers.BENCH / "sweep_run.py"), database.url, sweep, now.isoformat()],
        cwd=args.code,
        env=servers.environment(args.code, database),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{sweep} failed:\n{done.stderr[-3000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "others": neighbours.since(mark)}


def one_size(
    args: argparse.Namespace, kind: str, size: int, days: list[dt.date], neighbours: Neighbours
) -> dict[str, Any]:
    first = days[0]
    eve = first - dt.timedelta(days=1)
    remind_at = dt.datetime.combine(eve, dt.time(9, 5), tzinfo=WIB)
    release_at = dt.datetime.combine(eve, dt.time(20, 5), tzinfo=WIB)
    with servers.fresh_database(kind, args.postgres) as database:
        servers.hotline(args.code, database, "init")
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as file:
            file.write(office_file(args.offices, args.places))
        try:
            servers.hotline(args.code, database, "office", "load", file.name)
        finally:
            os.unlink(file.name)
        seconds = seed(database, args.places, days, size, remind_at)
        print(f"{kind}: {size:,} bookings seeded in {seconds:.1f} s", flush=True)
        reminders = run_sweep(args, database, "send_reminders", remind_at, neighbours)
        print(f"{kind} {size:,}: {reminders}", flush=True)
        releases = run_sweep(args, database, "release_unconfirmed", release_at, neighbours)
        print(f"{kind} {size:,}: {releases}", flush=True)
        engine = database.engine()
        with engine.connect() as connection:
            due = connection.execute(sa.text("SELECT count(*) FROM bookings WHERE date = :d"), {"d": first}).scalar()
            total = connection.execute(sa.text("SELECT count(*) FROM bookings")).scalar()
        engine.dispose()
    return {"kind": kind, "size": total, "due": due, "seed": seconds, "reminders": reminders, "releases": releases}


# --- pacing: two scheduler processes, one sender, the fake Twilio --------------------------------


def queue_messages(database: servers.Database, count: int, now: dt.datetime) -> None:
    """Queue count messages of the default office, each to its own citizen inside WhatsApp's window."""
    engine = database.engine()
    with engine.begin() as connection:
        office_id = connection.execute(sa.text("SELECT id FROM offices WHERE code = 'PLG'")).scalar_one()
    conversations = [
        (k, office_id, phone(k), "whatsapp", "{}", "id", False, False, now - dt.timedelta(hours=1), now, now)
        for k in range(1, count + 1)
    ]
    messages = [
        (k, k, "out", "system", "whatsapp", f"bench message {k}", 0, now, "reminder", "pending", 0, now)
        for k in range(1, count + 1)
    ]
    conversation_columns = ["id", "office_id", "phone", "channel", "state", "language", "handover", "opted_out"]
    conversation_columns += ["last_inbound_at", "created_at", "updated_at"]
    message_columns = ["id", "conversation_id", "direction", "author", "channel", "body", "num_media", "created_at"]
    message_columns += ["kind", "delivery", "attempts", "next_attempt_at"]
    insert = _copy if database.kind == "postgres" else _executemany
    insert(engine, "conversations", conversation_columns, conversations)
    insert(engine, "messages", message_columns, messages)
    if database.kind == "postgres":
        with engine.begin() as connection:
            for table in ("conversations", "messages"):
                connection.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    engine.dispose()


def pacing(args: argparse.Namespace, kind: str, neighbours: Neighbours) -> dict[str, Any]:
    sys.path.insert(0, str(report.ROOT))
    from tests.fakes import twilio_server

    fake = twilio_server.start()
    processes: list[tuple[subprocess.Popen[str], Path]] = []
    try:
        with servers.fresh_database(kind, args.postgres) as database:
            servers.hotline(args.code, database, "init")
            queue_messages(database, args.messages, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
            env = servers.environment(
                args.code,
                database,
                TWILIO_ACCOUNT_SID=twilio_server.ACCOUNT_SID,
                TWILIO_AUTH_TOKEN=twilio_server.AUTH_TOKEN,
                TWILIO_API_URL=fake.url,
                HOTLINE_SEND_RATE=str(args.rate),
            )
            neighbours.quiet()
            mark = neighbours.mark()
            for _ in range(2):
                log = Path(tempfile.mkstemp(prefix="bench-scheduler-", suffix=".log")[1])
                with log.open("w") as sink:
                    process = subprocess.Popen(
                        [sys.executable, "-m", "hotline", "scheduler"],
                        cwd=args.code,
                        env=env,
                        stdout=sink,
                        stderr=subprocess.STDOUT,
                        text=True,
                    )
                processes.append((process, log))
            deadline = time.monotonic() + args.messages / args.rate * 1.5 + 60
            while len(fake.accepted) < args.messages and time.monotonic() < deadline:
                if any(p.poll() is not None for p, _ in processes):
                    break
                time.sleep(0.2)
            time.sleep(min(2.0, 5 / args.rate))  # a send after the last one would be a duplicate: wait for it
            _stop(processes)
            others = neighbours.since(mark)
            engine = database.engine()
            with engine.connect() as connection:
                states: dict[str, int] = dict(
                    connection.execute(
                        sa.text("SELECT delivery, count(*) FROM messages WHERE direction = 'out' GROUP BY delivery")
                    ).all()
                )
            engine.dispose()
    finally:
        _stop(processes)
        logs = [log.read_text(errors="replace") for _, log in processes]
        for _, log in processes:
            log.unlink(missing_ok=True)
        twilio_server.stop(fake)
    times = sorted(float(m["accepted_at"]) for m in fake.accepted)
    bodies = Counter(m.get("Body", "") for m in fake.accepted)
    senders = Counter(m.get("From", "") for m in fake.accepted)
    per_process = [sum(int(n) for n in re.findall(r"delivered (\d+) message", text)) for text in logs]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return {
        "kind": kind,
        "queued": args.messages,
        "accepted": len(times),
        "once": len(bodies) == args.messages and set(bodies.values()) == {1},
        "senders": len(senders),
        "per_process": per_process,
        "states": states,
        "rate": args.rate,
        "measured": (len(times) - 1) / span if span else float("nan"),
        "max_1s": _max_in_window(times, 1.0),
        "max_10s": _max_in_window(times, 10.0) / 10,
        "min_gap_ms": min((b - a for a, b in zip(times, times[1:], strict=False)), default=float("nan")) * 1000,
        "others": others,
        "errors": [line for text in logs for line in text.splitlines() if "Traceback" in line or "ERROR" in line][:3],
    }


def _max_in_window(times: list[float], width: float) -> int:
    """Return the most sends within any window of `width` seconds (closed at its start, open at its end)."""
    most, start = 0, 0
    for end, instant in enumerate(times):
        while instant - times[start] >= width:
            start += 1
        most = max(most, end - start + 1)
    return most


def _stop(processes: list[tuple[subprocess.Popen[str], Path]]) -> None:
    for process, _ in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process, _ in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the report ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    report.add_common_options(parser)
    parser.add_argument("--offices", type=int, default=None, help="offices (default 125)")
    parser.add_argument("--days", type=int, default=None, help="open days booked for the largest size (default 30)")
    parser.add_argument("--places", type=int, default=None, help="places a day per office (default 150)")
    parser.add_argument("--sizes", default=None, help="bookings, comma-separated (default 50000,offices*days*places)")
    parser.add_argument("--messages", type=int, default=None, help="messages queued for the pacing (default 400)")
    parser.add_argument("--rate", type=int, default=None, help="HOTLINE_SEND_RATE for the pacing (default 10)")
    parser.add_argument("--skip-sweeps", action="store_true", help="only the pacing")
    parser.add_argument("--skip-pacing", action="store_true", help="only the sweeps")
    args = parser.parse_args()
    args.offices = args.offices or (3 if args.smoke else 125)
    args.days = args.days or (2 if args.smoke else 30)
    args.places = args.places or (12 if args.smoke else 150)
    largest = args.offices * args.days * args.places
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([largest] if args.smoke else [50_000, largest])
    args.messages = args.messages or (20 if args.smoke else 400)
    args.rate = args.rate or (20 if args.smoke else 10)
    kinds = report.databases(args)
    pg_version = servers.postgres_version(args.postgres) if "postgres" in kinds else None
    if "postgres" in kinds and pg_version is None:
        sys.exit(f"no PostgreSQL server answers at {args.postgres}")

    today = dt.datetime.now(WIB).date()
    days = open_days(today + dt.timedelta(days=7), args.days)
    neighbours = Neighbours(patience=0 if args.smoke else 60)
    sweeps = [] if args.skip_sweeps else [one_size(args, kind, n, days, neighbours) for kind in kinds for n in sizes]
    paced = [] if args.skip_pacing else [pacing(args, kind, neighbours) for kind in kinds]
    neighbours.stop()
    for result in paced:
        print(result, flush=True)
    text = report.section(
        "scheduler",
        "Scheduler: sweeps at national scale, and send pacing",
        args,
        pg_version,
        tables(sweeps, paced),
        NOTES + "\n\n" + neighbours.note(),
    )
    report.publish(report.output_path(args), "scheduler", args, text)
    wrong = [s for s in sweeps if s["reminders"]["done"] != s["due"] or s["releases"]["done"] != s["due"]]
    # Smoke sizes are too small to time a rate: there only every message must go, once.
    wrong += [p for p in paced if not (p["once"] if args.smoke else _paced_well(p))]
    if wrong:
        sys.exit("FAILED: a sweep left due work, or the sends were not paced as configured (see the tables)")


def _paced_well(p: dict[str, Any]) -> bool:
    return (
        p["once"]
        and p["accepted"] == p["queued"]
        and abs(p["measured"] - p["rate"]) <= 0.05 * p["rate"]
        and p["max_1s"] <= p["rate"]
    )


def tables(sweeps: list[dict[str, Any]], paced: list[dict[str, Any]]) -> str:
    parts = []
    if sweeps:
        headers = ["database", "bookings", "seeded in s", "due (day D)", "sweep", "done", "seconds", "items/s"]
        headers += ["RSS before MiB", "peak RSS MiB", "growth MiB", "others' CPUs"]
        rows = []
        for s in sweeps:
            for label, sweep in (("reminders", s["reminders"]), ("release", s["releases"])):
                rows.append(
                    (
                        s["kind"],
                        s["size"],
                        s["seed"],
                        s["due"],
                        label,
                        sweep["done"],
                        sweep["seconds"],
                        sweep["done"] / sweep["seconds"] if sweep["seconds"] else float("nan"),
                        sweep["rss_before_kib"] / 1024,
                        sweep["peak_kib"] / 1024,
                        (sweep["peak_kib"] - sweep["rss_before_kib"]) / 1024,
                        f"{sweep['others']:.2f}",
                    )
                )
        parts.append(report.table(headers, rows))
    if paced:
        headers = ["database", "queued", "sent", "exactly once", "by process", "rate /s", "measured /s"]
        headers += ["within 5 %", "most in any 1 s", "most a second over 10 s", "closest sends ms", "others' CPUs"]
        rows = [
            (
                p["kind"],
                p["queued"],
                p["accepted"],
                "yes" if p["once"] else "NO",
                " + ".join(str(n) for n in p["per_process"]),
                p["rate"],
                p["measured"],
                "yes" if abs(p["measured"] - p["rate"]) <= 0.05 * p["rate"] else "NO",
                p["max_1s"],
                p["max_10s"],
                p["min_gap_ms"],
                f"{p['others']:.2f}",
            )
            for p in paced
        ]
        parts.append("Pacing: two `hotline scheduler` processes, one WhatsApp sender, the fake Twilio:")
        parts.append(report.table(headers, rows))
        errors = [f"- {p['kind']}: {p['errors']}" for p in paced if p["errors"]]
        if errors:
            parts.append("Errors in the schedulers' logs:\n" + "\n".join(errors))
    return "\n\n".join(parts)


NOTES = """\
How: the offices are the default one plus generated ones (three sessions, Monday to Friday);
every booking has its own conversation (inside WhatsApp's window) and valid NIK, status
booked, none reminded. Both sizes book every place of day D, so both sweeps have the same work
(D's bookings) and only the table around it grows. Each sweep runs in a fresh process
(`bench/sweep_run.py`): "RSS before" is the process after importing the code and connecting,
"peak RSS" its VmHWM (the most it was resident) at the end, "growth" what the sweep itself added. Pacing: the two
processes are the real `hotline scheduler` (its delivery job every 2 s), started together;
"by process" is what each logged as delivered; "most in any 1 s" is the most sends the fake
Twilio accepted within any one second (never above the rate means at most the rate)."""


if __name__ == "__main__":
    main()
