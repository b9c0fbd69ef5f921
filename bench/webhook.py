"""The webhook side by side with a bare Flask app: same gunicorn settings, same load, one run.

    .venv/bin/python -m bench.webhook [--smoke] [--code DIR] [--label before]
        [--workers 2,4] [--citizens 1,8,32] [--requests 960] [--databases sqlite,postgres]

For each database (a fresh SQLite file, a fresh PostgreSQL database) and each number of
gunicorn sync workers, it serves (a) bench/bare_app.py, the same signature check and a fixed
TwiML reply, and (b) the hotline's wsgi:app from --code, and loads each with N citizens at
once (closed loop: each carries one signed four-message booking after another, with its own
phone number and valid NIK, spread over the open sessions of the booking window) until
--requests requests are answered. It reports requests/s, hotline/bare, p50/p95/p99 latency,
p99 at half the load where throughput peaks, and checks the database: bookings = citizens
told a code, none over a session's capacity.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import threading
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench import report, servers
from bench.citizens import CODE_RE, Client, bookable_days, booking_messages, cpu_seconds, form, percentile
from bench.neighbours import Neighbours

TAKEN = ("booked", "confirmed", "checked_in", "no_show")
MESSAGES_PER_CITIZEN = 4


@dataclass
class Run:
    """One load: how many citizens at once, what they got, how long it took."""

    app: str
    citizens: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    conversations: int = 0
    failures: list[str] = field(default_factory=list)
    loadgen_cpu: float = 0.0
    server_cpu: float = 0.0
    others: float = 0.0  # CPUs other processes on the machine used meanwhile

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


class Numbers:
    """Hands out citizen numbers, unique across the whole benchmark."""

    def __init__(self) -> None:
        self._next = itertools.count()
        self._lock = threading.Lock()

    def take(self) -> int:
        with self._lock:
            return next(self._next)


def load(
    server: servers.Server,
    app: str,
    citizens: int,
    requests: int,
    numbers: Numbers,
    slots: list[tuple[dt.date, int]],
    neighbours: Neighbours | None = None,
) -> Run:
    """Have `citizens` citizens book at once, one conversation after another, until `requests` are sent.

    With neighbours, wait for a quiet machine first and note how quiet it stayed.
    """
    run = Run(app, citizens)
    if neighbours is not None:
        neighbours.quiet()
        mark = neighbours.mark()
    conversations = max(citizens, -(-requests // MESSAGES_PER_CITIZEN))
    left = iter(range(conversations))
    lock = threading.Lock()

    def citizen() -> None:
        client = Client(server.url)
        latencies: list[float] = []
        while True:
            with lock:
                if next(left, None) is None:
                    break
            n = numbers.take()
            day, session = slots[n % len(slots)]
            answer = None
            for text in booking_messages(n, day, session):
                answer = client.post(form(n, text))
                latencies.append(answer.seconds)
                if answer.status != 200:
                    with lock:
                        run.failures.append(f"HTTP {answer.status} to {text!r}")
                    break
            if app == "hotline" and answer is not None and answer.status == 200:
                found = CODE_RE.search(answer.replies[0] if answer.replies else "")
                with lock:
                    if found:
                        run.codes.append(found.group(1))
                    else:
                        run.failures.append(f"no code: {answer.replies!r}"[:300])
        client.close()
        with lock:
            run.latencies += latencies

    cpu, server_cpu = cpu_seconds(), server.cpu_seconds()
    started = time.monotonic()
    threads = [threading.Thread(target=citizen) for _ in range(citizens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.monotonic() - started
    run.loadgen_cpu = (cpu_seconds() - cpu) / run.seconds
    run.server_cpu = (server.cpu_seconds() - server_cpu) / run.seconds
    run.conversations = conversations
    run.latencies.sort()
    if neighbours is not None:
        run.others = neighbours.since(mark)
    return run


@dataclass
class Check:
    """What the database holds after every run on it."""

    told: int
    in_database: int
    codes_match: bool
    over_capacity: int
    not_booked: int


def check(database: servers.Database, runs: list[Run]) -> Check:
    told = [code for run in runs for code in run.codes]
    engine = database.engine()
    taken = ", ".join(f"'{status}'" for status in TAKEN)
    with engine.connect() as connection:
        stored = set(connection.execute(sa.text(f"SELECT code FROM bookings WHERE status IN ({taken})")).scalars())
        over = connection.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT b.session_id, b.date FROM bookings b "
                "JOIN office_sessions s ON s.id = b.session_id "
                "LEFT JOIN session_days d ON d.session_id = b.session_id AND d.date = b.date "
                f"WHERE b.status IN ({taken}) GROUP BY b.session_id, b.date, s.capacity, d.capacity "
                "HAVING count(*) > coalesce(d.capacity, s.capacity)) AS crowded"
            )
        ).scalar_one()
    engine.dispose()
    return Check(
        told=len(told),
        in_database=len(stored),
        codes_match=stored == set(told) and len(told) == len(set(told)),
        over_capacity=int(over),
        not_booked=sum(len(run.failures) for run in runs),
    )


def serve_and_load(
    args: argparse.Namespace,
    database: servers.Database,
    app: str,
    workers: int,
    numbers: Numbers,
    slots: list[tuple[dt.date, int]],
    neighbours: Neighbours,
) -> tuple[Run, list[Run], list[Run]]:
    """Start one app under gunicorn; warm it up, then load it at each number of citizens (and at half the peak).

    Return the warm-up, the loads at --citizens, and the load at half the peak (when not one of those).
    """
    env = servers.environment(args.code, database)
    if app == "bare":
        spec, chdir = "bare_app:app", servers.BENCH
    else:
        spec, chdir = "wsgi:app", args.code.resolve()
    with servers.gunicorn(spec, chdir, env, workers) as server:
        warm_up = load(server, app, workers, 2 * workers * MESSAGES_PER_CITIZEN, numbers, slots)
        runs = [load(server, app, c, args.requests, numbers, slots, neighbours) for c in args.citizens]
        peak = max(runs, key=lambda run: run.rate)
        half = max(1, peak.citizens // 2)
        extra = [] if half in args.citizens else [load(server, app, half, args.requests, numbers, slots, neighbours)]
        failures = [f for run in [warm_up, *runs, *extra] for f in run.failures]
        if failures:
            print(f"{app} on {database.kind}, {workers} workers: {len(failures)} conversation(s) went wrong, e.g.")
            print("  " + "\n  ".join(failures[:3]))
            print(servers.server_log_tail(server))
    return warm_up, runs, extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    report.add_common_options(parser)
    parser.add_argument("--workers", default=None, help="gunicorn workers, comma-separated (default 2,4)")
    parser.add_argument("--citizens", default=None, help="citizens at once, comma-separated (default 1,8,32)")
    parser.add_argument("--requests", type=int, default=None, help="requests per load (default 960)")
    args = parser.parse_args()
    args.workers = [int(w) for w in (args.workers or ("2" if args.smoke else "2,4")).split(",")]
    args.citizens = [int(c) for c in (args.citizens or ("1,4" if args.smoke else "1,8,32")).split(",")]
    args.requests = args.requests or (16 if args.smoke else 960)
    kinds = report.databases(args)
    pg_version = servers.postgres_version(args.postgres) if "postgres" in kinds else None
    if "postgres" in kinds and pg_version is None:
        sys.exit(f"no PostgreSQL server answers at {args.postgres}")

    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    slots = [(day, session) for day in bookable_days(today) for session in (1, 2, 3)]
    numbers = Numbers()
    neighbours = Neighbours(patience=0 if args.smoke else 60)
    side_by_side, half_load, checks = [], [], []
    for kind in kinds:
        for workers in args.workers:
            with servers.fresh_database(kind, args.postgres) as database:
                servers.hotline(args.code, database, "init")
                _, bare, bare_half = serve_and_load(args, database, "bare", workers, numbers, slots, neighbours)
                warm_up, hotline, hotline_half = serve_and_load(
                    args, database, "hotline", workers, numbers, slots, neighbours
                )
                found = check(database, [warm_up, *hotline, *hotline_half])
            checks.append((kind, workers, found))
            for b, h in zip(bare, hotline, strict=True):
                side_by_side.append((kind, workers, b, h))
                print(f"{kind} {workers}w {h.citizens:>3} citizens: bare {b.rate:,.0f}/s, hotline {h.rate:,.0f}/s")
            half_load += half_load_rows(kind, workers, [(bare, bare_half), (hotline, hotline_half)])

    neighbours.stop()
    body = tables(args, side_by_side, half_load, checks)
    notes = NOTES.format(requests=args.requests) + "\n\n" + neighbours.note()
    text = report.section("webhook", "Webhook: the hotline against a bare Flask app", args, pg_version, body, notes)
    report.publish(report.output_path(args), "webhook", args, text)
    bad = [c for _, _, c in checks if not c.codes_match or c.over_capacity or c.not_booked]
    if bad:
        sys.exit("FAILED: a booking did not land, or a session went over its capacity (see the table)")


def half_load_rows(kind: str, workers: int, apps: list[tuple[list[Run], list[Run]]]) -> list[tuple]:
    rows = []
    for runs, extra in apps:
        peak = max(runs, key=lambda run: run.rate)
        half = max(1, peak.citizens // 2)
        at_half = next(r for r in [*runs, *extra] if r.citizens == half)
        rows.append((kind, workers, peak.app, peak.citizens, peak.rate, half, at_half.rate, at_half.ms(0.99)))
    return rows


def tables(args: argparse.Namespace, side_by_side: list, half_load: list, checks: list) -> str:
    main_rows = [
        (
            kind,
            workers,
            h.citizens,
            len(h.latencies),
            b.rate,
            h.rate,
            h.rate / b.rate if b.rate else float("nan"),
            b.ms(0.5),
            b.ms(0.99),
            h.ms(0.5),
            h.ms(0.95),
            h.ms(0.99),
            f"{h.loadgen_cpu:.0%}",
            f"{h.server_cpu:.0%}",
            f"{b.others:.2f} / {h.others:.2f}",
        )
        for kind, workers, b, h in side_by_side
    ]
    headers = ["database", "workers", "citizens", "requests", "bare req/s", "hotline req/s", "hotline/bare"]
    headers += ["bare p50 ms", "bare p99 ms", "hotline p50 ms", "hotline p95 ms", "hotline p99 ms"]
    headers += ["load gen CPU", "gunicorn CPU", "others' CPUs (bare / hotline)"]
    half_headers = ["database", "workers", "app", "peak at citizens", "peak req/s", "half: citizens"]
    half_headers += ["req/s at half", "p99 ms at half"]
    check_rows = [
        (
            kind,
            workers,
            c.told,
            c.in_database,
            "yes" if c.codes_match else "NO",
            c.over_capacity,
            c.not_booked,
        )
        for kind, workers, c in checks
    ]
    check_headers = ["database", "workers", "citizens told a code", "bookings in the database", "same codes"]
    check_headers += ["sessions over capacity", "conversations without a code"]
    return "\n\n".join(
        [
            report.table(headers, main_rows),
            "p99 at half the maximum load (half the number of citizens at which requests/s peaked):",
            report.table(half_headers, half_load),
            "Every booking landed (warm-up and half-load runs included):",
            report.table(check_headers, check_rows),
        ]
    )


NOTES = """\
How: gunicorn sync workers (`--workers N`, nothing else changed) on 127.0.0.1, the bare app and
the hotline one after the other, each warmed up with 2 conversations per worker first. Each
load is {requests} requests: citizens at once, each carrying signed four-message bookings
("halo", "1", "baru biasa, <name>, <NIK>, <D/M> sesi <n>", "ya") one after another, every
citizen with its own number and valid NIK, spread over the open sessions of the 30-day window
(no session fills). The bare app gets the same requests and signature check and answers one
fixed message. Latency is measured by the load generator (a thread per citizen, http.client);
"load gen CPU" and "gunicorn CPU" are CPU time over wall time (100 % = one of the machine's
cores), so the load generator's share of the 2 cores is visible. PostgreSQL's own CPU is in
neither. "Others' CPUs": what other processes on the machine used meanwhile (each load waits
for them to be quiet first, up to a minute). A fresh database per database kind and worker count."""


if __name__ == "__main__":
    main()
