"""The morning the quota opens: 5,000 citizens ask for the same day of 150 places within one minute.

    .venv/bin/python -m bench.rush [--smoke] [--code DIR] [--label before]
        [--citizens 5000] [--places 150] [--window 60] [--workers 4] [--databases sqlite,postgres]

On a fresh database per kind, gunicorn (--workers sync workers) serves the hotline from --code.
Every citizen first opens a booking ("1": the bot asks for the details in one message); then,
spread evenly over --window seconds, each sends "baru biasa, <name>, <NIK>, <D/M> sesi <n>" for
the same day (its --places split over the day's three sessions), and answers what it is asked
as a person would: YA at the summary, the first session offered when its own is full. It checks
that exactly --places were booked, that every citizen was answered (a booking code, or the day
is full with the nearest dates or the waiting list), and reports latency (counted from when each
message was due, so a queue in front of the server counts), the time until the last answer, the
outbound messages the rush costs (TwiML replies and outbox rows) and how long one Twilio sender
takes to send them at the configured HOTLINE_SEND_RATE.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench import report, servers
from bench.citizens import CODE_RE, Answer, Client, bookable_days, cpu_seconds, date_text, form, name, nik, percentile
from bench.neighbours import Neighbours

TWILIO_TIMEOUT = 15.0  # seconds Twilio waits for a webhook's answer before it gives up (error 11200)
SESSION_OFFERED = re.compile(r"(\d+)\) \d\d:\d\d-\d\d:\d\d \(\d+ tempat\)")
FULL_DAY = ("Tanggal terdekat", "Belum ada tempat", "TUNGGU")


@dataclass
class Rush:
    """What the citizens got."""

    outcomes: Counter[str] = field(default_factory=Counter)
    codes: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    replies: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    last_answer: float = 0.0  # monotonic
    lock: threading.Lock = field(default_factory=threading.Lock)


def outcome_of(answer: Answer) -> tuple[str, str | None]:
    """Return what an answer means to the citizen, and what they send next (None: they are done)."""
    text = " ".join(answer.replies)
    if CODE_RE.search(text):
        return "booked", None
    if "Balas YA" in text and " 6 " in text:  # the numbered summary: a place is held
        return "summary", "ya"
    offered = SESSION_OFFERED.search(text)
    if "Pilih sesi" in text and offered:
        return "session", offered.group(1)
    if "penuh" in text and any(words in text for words in FULL_DAY):
        return "full day", None
    return "other", None


def rush_citizen(client: Client, n: int, first: str, due: float, rush: Rush) -> None:
    """Send the date message when due; answer what the bot asks until booked, refused, or lost."""
    text: str | None = first
    outcome = "other"
    answer = None
    for step in range(6):
        if text is None:
            break
        try:
            answer = client.post(form(n, text), due=due if step == 0 else None)
        except OSError as error:
            with rush.lock:
                rush.errors.append(f"{type(error).__name__}: {error}")
            outcome = "error"
            break
        done = time.monotonic()
        with rush.lock:
            rush.requests += 1
            rush.replies += len(answer.replies)
            rush.latencies.append(answer.seconds)
            rush.last_answer = max(rush.last_answer, done)
        if answer.status != 200:
            outcome = f"HTTP {answer.status}"
            break
        outcome, text = outcome_of(answer)
    with rush.lock:
        rush.outcomes[outcome] += 1
        if outcome == "booked" and answer is not None:
            found = CODE_RE.search(" ".join(answer.replies))
            rush.codes.append(found.group(1) if found else "")
        elif outcome == "other" and answer is not None:
            rush.others.append(" / ".join(answer.replies)[:300])


def open_bookings(server: servers.Server, citizens: int, threads: int) -> float:
    """Have every citizen send "1" (the bot then asks for the details); return requests/s."""
    left = iter(range(citizens))
    lock = threading.Lock()
    failures: list[str] = []

    def work() -> None:
        client = Client(server.url)
        while True:
            with lock:
                n = next(left, None)
            if n is None:
                break
            answer = client.post(form(n, "1"))
            if answer.status != 200 or "Kirim dalam 1 pesan" not in " ".join(answer.replies):
                with lock:
                    failures.append(f"{answer.status}: {answer.replies!r}"[:200])
        client.close()

    started = time.monotonic()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} citizens could not open a booking, e.g. {failures[0]}")
    return citizens / (time.monotonic() - started)


def run_rush(server: servers.Server, args: argparse.Namespace, day: dt.date) -> tuple[Rush, float, float]:
    """Send every citizen's date message, spread evenly over the window; return what happened, its start and CPU."""
    rush = Rush()
    local = threading.local()

    def task(n: int, due: float) -> None:
        if not hasattr(local, "client"):
            local.client = Client(server.url)
        session = n % 3 + 1
        rush_citizen(local.client, n, f"baru biasa, {name(n)}, {nik(n)}, {date_text(day)} sesi {session}", due, rush)

    cpu = cpu_seconds()
    start = time.monotonic() + 0.2
    spacing = args.window / args.citizens
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        futures = []
        for n in range(args.citizens):
            due = start + n * spacing
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            futures.append(pool.submit(task, n, due))
        for future in futures:
            future.result()
    return rush, start, cpu_seconds() - cpu


def send_rate(args: argparse.Namespace, database: servers.Database) -> int:
    """Return the measured code's configured send rate (messages a second per sender)."""
    done = subprocess.run(
        [sys.executable, "-c", "from hotline.config import from_environment; print(from_environment()['SEND_RATE'])"],
        cwd=args.code,
        env=servers.environment(args.code, database),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip())


def one_database(args: argparse.Namespace, kind: str, day: dt.date, neighbours: Neighbours) -> dict[str, object]:
    with servers.fresh_database(kind, args.postgres) as database:
        servers.hotline(args.code, database, "init")
        engine = database.engine()
        per_session = [args.places // 3 + (1 if i < args.places % 3 else 0) for i in range(3)]
        with engine.begin() as connection:
            for begins, capacity in zip(("08:00", "10:00", "13:00"), per_session, strict=True):
                connection.execute(
                    sa.text("UPDATE office_sessions SET capacity = :c WHERE start = :s AND only_on IS NULL"),
                    {"c": capacity, "s": begins},
                )
        rate = send_rate(args, database)
        env = servers.environment(args.code, database)
        with servers.gunicorn("wsgi:app", args.code.resolve(), env, args.workers) as server:
            with engine.connect() as connection:
                outbox_before = connection.execute(
                    sa.text("SELECT count(*) FROM messages WHERE kind IS NOT NULL")
                ).scalar_one()
            opened = open_bookings(server, args.citizens, args.threads)
            neighbours.quiet()
            mark = neighbours.mark()
            cpu_before = server.cpu_seconds()
            rush, start, loadgen_cpu = run_rush(server, args, day)
            server_cpu = server.cpu_seconds() - cpu_before
            others = neighbours.since(mark)
            if rush.errors or rush.others:
                print(servers.server_log_tail(server))
        with engine.connect() as connection:
            booked = connection.execute(
                sa.text("SELECT count(*) FROM bookings WHERE date = :d AND status IN ('booked', 'confirmed')"),
                {"d": day},
            ).scalar_one()
            held = connection.execute(
                sa.text("SELECT count(*) FROM bookings WHERE date = :d AND status = 'held'"), {"d": day}
            ).scalar_one()
            stored_codes = set(
                connection.execute(
                    sa.text("SELECT code FROM bookings WHERE status IN ('booked', 'confirmed')")
                ).scalars()
            )
            outbox = (
                connection.execute(sa.text("SELECT count(*) FROM messages WHERE kind IS NOT NULL")).scalar_one()
                - outbox_before
            )
        engine.dispose()
    latencies = sorted(rush.latencies)
    until_last = rush.last_answer - start
    expected = min(args.places, args.citizens)
    answered = rush.outcomes["booked"] + rush.outcomes["full day"]
    outbound = rush.replies + outbox
    result = {
        "kind": kind,
        "opened": opened,
        "booked": booked,
        "expected": expected,
        "held": held,
        "codes_match": stored_codes == set(rush.codes) and len(rush.codes) == booked,
        "outcomes": rush.outcomes,
        "answered": answered,
        "requests": rush.requests,
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else float("nan"),
        "late": sum(1 for s in latencies if s > TWILIO_TIMEOUT),
        "until_last": until_last,
        "rate": rush.requests / until_last if until_last > 0 else float("nan"),
        "replies": rush.replies,
        "outbox": outbox,
        "outbound": outbound,
        "send_rate": rate,
        "sending": outbound / rate,
        "loadgen_cpu": loadgen_cpu / until_last if until_last > 0 else 0.0,
        "server_cpu": server_cpu / until_last if until_last > 0 else 0.0,
        "others": others,
        "errors": rush.errors[:3],
        "unexpected": rush.others[:3],
    }
    print(f"{kind}: {result}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    report.add_common_options(parser)
    parser.add_argument("--citizens", type=int, default=None, help="citizens in the rush (default 5000)")
    parser.add_argument("--places", type=int, default=None, help="places on the day, over 3 sessions (default 150)")
    parser.add_argument("--window", type=float, default=None, help="seconds the date messages are spread over (60)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=64, help="the load generator's connections (default 64)")
    args = parser.parse_args()
    args.citizens = args.citizens or (30 if args.smoke else 5000)
    args.places = args.places or (6 if args.smoke else 150)
    args.window = args.window or (1.0 if args.smoke else 60.0)
    args.workers = args.workers or (2 if args.smoke else 4)
    kinds = report.databases(args)
    pg_version = servers.postgres_version(args.postgres) if "postgres" in kinds else None
    if "postgres" in kinds and pg_version is None:
        sys.exit(f"no PostgreSQL server answers at {args.postgres}")

    day = bookable_days(dt.datetime.now(ZoneInfo("Asia/Jakarta")).date())[0]
    neighbours = Neighbours(patience=0 if args.smoke else 60)
    results = [one_database(args, kind, day, neighbours) for kind in kinds]
    neighbours.stop()
    notes = NOTES + "\n\n" + neighbours.note()
    text = report.section("rush", "Rush: one day's places in a minute", args, pg_version, tables(args, results), notes)
    report.publish(report.output_path(args), "rush", args, text)
    wrong = [
        r
        for r in results
        if r["booked"] != r["expected"] or r["answered"] != args.citizens or r["held"] or not r["codes_match"]
    ]
    if wrong:
        sys.exit("FAILED: not exactly the places booked, or a citizen left unanswered (see the table)")


def tables(args: argparse.Namespace, results: list[dict]) -> str:
    headers = ["database", "workers", "citizens", "places", "booked", "full-day answers", "unanswered"]
    headers += ["requests", "p50 s", "p95 s", "p99 s", "max s", f"over {TWILIO_TIMEOUT:.0f} s"]
    headers += ["last answer after s", "req/s"]
    rows = [
        (
            r["kind"],
            args.workers,
            args.citizens,
            args.places,
            r["booked"],
            r["outcomes"]["full day"],
            args.citizens - r["answered"],
            r["requests"],
            r["p50"],
            r["p95"],
            r["p99"],
            r["max"],
            r["late"],
            r["until_last"],
            r["rate"],
        )
        for r in results
    ]
    cost_headers = ["database", "TwiML replies", "outbox rows", "outbound in all", "send rate /s"]
    cost_headers += ["one sender needs s", "same codes", "holds left", "load gen CPU", "gunicorn CPU"]
    cost_headers += ["others' CPUs", "'1' req/s"]
    cost_rows = [
        (
            r["kind"],
            r["replies"],
            r["outbox"],
            r["outbound"],
            r["send_rate"],
            r["sending"],
            "yes" if r["codes_match"] else "NO",
            r["held"],
            f"{r['loadgen_cpu']:.0%}",
            f"{r['server_cpu']:.0%}",
            f"{r['others']:.2f}",
            r["opened"],
        )
        for r in results
    ]
    problems = [
        f"- {r['kind']}: {', '.join(f'{k} {v}' for k, v in sorted(r['outcomes'].items()))}; "
        f"e.g. {(r['errors'] + r['unexpected'])[:1]}"
        for r in results
        if r["errors"] or r["unexpected"]
    ]
    parts = [
        report.table(headers, rows),
        "What the rush costs in outbound messages, and how long one WhatsApp sender takes to send them "
        "at the configured rate (HOTLINE_SEND_RATE of the code measured):",
        report.table(cost_headers, cost_rows),
    ]
    if problems:
        parts.append("Unexpected answers:\n" + "\n".join(problems))
    return "\n\n".join(parts)


NOTES = f"""\
How: the default office (Palembang); its three sessions share the places of the rush day (the
first open day after tomorrow). Every citizen has its own number and valid NIK; first each
sends "1" (not timed; its rate is the last column), then the date messages are due evenly
over the window and sent by a pool of connections as they fall due; latency counts from when
the message was due, so citizens queued in front of the 4 workers count. A citizen then
answers YA at a summary, or the first session offered when its own is full, until it has a
code or the day is full ("penuh" with the nearest dates or the waiting list). "Over
{TWILIO_TIMEOUT:.0f} s": answers Twilio would not have waited for (its webhook time-out; the citizen
would get nothing). The TwiML replies go out through the same WhatsApp sender as the outbox,
so "one sender needs" is (replies + outbox rows) / send rate: how long Twilio takes to deliver
what the rush answered."""


if __name__ == "__main__":
    main()
