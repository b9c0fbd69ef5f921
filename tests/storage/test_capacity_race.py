"""Never more bookings plus live holds than a session's capacity, whatever processes race for it.

Each citizen is a real OS process (tests/storage/race_worker.py) with its own engine; all of them
wait at a common start (a line on stdin), then take a place through lock_conversation and
hold_place (half of them confirming too), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import and_, func, or_, select, update

from storage.bookings import hold_place
from storage.calendar import places
from storage.conversations import lock_conversation
from storage.db import Database
from storage.models import Booking, Office, OfficeSession
from storage.offices import load_offices
from tests.conftest import START, default_office_specs

pytestmark = pytest.mark.slow

WORKER = Path(__file__).with_name("race_worker.py")
PROCESSES = 20
CAPACITY = 5
NOW = START  # Tuesday 1 December 2026, 09:00 WIB
DAY = dt.date(2026, 12, 2)  # the Wednesday after: open, inside the 30-day window
MODES = ("hold", "same", "next", "same")  # half confirm (in the same or the next transaction)
LAPSED_PHONE = "+6281100000000"
RUN_TIMEOUT = 60


@dataclass
class Race:
    backend: str
    results: list[dict]
    elapsed: float  # from the start signal to the last process's report
    spread: float  # between the first and the last process starting its transaction

    def outcomes(self) -> Counter:
        return Counter(r["outcome"] if r["outcome"] == "won" else r.get("reason") for r in self.results)

    def report(self, title: str, places: int) -> None:
        winners = sum(r["outcome"] == "won" for r in self.results)
        print(
            f"\n[{title}] backend={self.backend} processes={len(self.results)} places={places} "
            f"winners={winners} outcomes={dict(self.outcomes())} "
            f"elapsed={self.elapsed:.2f}s start_spread={self.spread:.3f}s"
        )


def office_db(url: str) -> Database:
    """Return the database at url with the default office (Palembang) loaded."""
    db = Database(url)
    with db.transaction() as session:
        load_offices(session, default_office_specs())
    return db


def session_at(db: Database, start: str, capacity: int | None = None) -> int:
    """Return the id of the office's session starting at start, first setting its capacity."""
    with db.transaction() as session:
        office_session = session.scalar(select(OfficeSession).where(OfficeSession.start == start))
        if capacity is not None:
            session.execute(
                update(OfficeSession).where(OfficeSession.id == office_session.id).values(capacity=capacity)
            )
        return office_session.id


def backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


def race(url: str, jobs: list[dict]) -> Race:
    """Start one process per job, release them all at once, and return what each reports."""
    spawned = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), json.dumps({"url": url, "office": "PLG", "now": NOW.isoformat(), **job})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    try:
        for proc in procs:
            line = proc.stdout.readline()
            assert line.strip() == "ready", f"worker failed to start: {line!r} {proc.stderr.read()}"
        go = time.monotonic()
        for proc in procs:  # the barrier: every worker is blocked reading this line
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=RUN_TIMEOUT)
            assert proc.returncode == 0, f"worker failed:\n{out}\n{err}"
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    done = time.monotonic()
    starts = [r["started"] for r in results]
    assert done - spawned < RUN_TIMEOUT
    return Race(backend(url), results, done - go, max(starts) - min(starts))


def taken_places(db: Database, session_id: int, day: dt.date) -> int:
    """Count, straight from the table, the bookings and live holds in a session on a day."""
    with db.transaction() as session:
        return session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(
                Booking.session_id == session_id,
                Booking.date == day,
                or_(
                    Booking.status.in_(("booked", "confirmed")),
                    and_(Booking.status == "held", Booking.hold_expires_at > NOW),
                ),
            )
        )


def lapsed_hold(db: Database, session_id: int, day: dt.date) -> None:
    """Leave a hold taken 15 minutes ago and never confirmed: it must not count."""
    with db.transaction() as session:
        office = session.scalar(select(Office).where(Office.code == "PLG"))
        conversation = lock_conversation(session, office, LAPSED_PHONE, "sms", NOW)
        hold_place(
            session,
            office,
            conversation,
            session_id=session_id,
            day=day,
            service="new",
            passport_type="ordinary",
            name="Warga Lama",
            nik="1671010101800001",
            moving=None,
            now=NOW - dt.timedelta(minutes=15),
            hold_minutes=10,
            max_per_phone=5,
        )


def test_capacity_holds_under_a_race_of_processes(database_url: str) -> None:
    """Of 20 processes racing for 5 places, exactly 5 win, 15 are told "full", and 5 are taken."""
    db = office_db(database_url)
    session_id = session_at(db, "10:00", capacity=CAPACITY)
    lapsed_hold(db, session_id, DAY)
    jobs = [
        {
            "session_id": session_id,
            "day": DAY.isoformat(),
            "phone": f"+62812000{i:05d}",
            "nik": f"16710101019{i:05d}",
            "mode": MODES[i % len(MODES)],
        }
        for i in range(PROCESSES)
    ]

    result = race(database_url, jobs)
    result.report("capacity", CAPACITY)

    assert [r for r in result.results if r["outcome"] == "error"] == []
    assert result.outcomes() == {"won": CAPACITY, "full": PROCESSES - CAPACITY}
    for won in (r for r in result.results if r["outcome"] == "won"):
        assert won["status"] == ("held" if won["mode"] == "hold" else "booked")
    assert taken_places(db, session_id, DAY) == CAPACITY
    with db.transaction() as session:
        office = session.scalar(select(Office).where(Office.code == "PLG"))
        (day,) = places(session, office, DAY, DAY, NOW)
        tens = next(s for s in day.sessions if s.session.id == session_id)
        assert (tens.booked + tens.held, tens.available) == (CAPACITY, 0)
        codes = {r["code"] for r in result.results if r["outcome"] == "won"}
        stored = set(
            session.scalars(
                select(Booking.code).where(
                    Booking.session_id == session_id, Booking.date == DAY, Booking.phone != LAPSED_PHONE
                )
            )
        )
        assert stored == codes  # the refused left nothing behind
    db.dispose()


def test_one_nik_wins_a_race_of_processes(database_url: str) -> None:
    """Of 8 processes with different phones booking one NIK on different days, exactly one wins."""
    db = office_db(database_url)
    sessions = [session_at(db, "10:00"), session_at(db, "13:00")]
    days = [dt.date(2026, 12, 2), dt.date(2026, 12, 3), dt.date(2026, 12, 4)]
    nik = "1671014509900002"
    jobs = [
        # Different session-days, so only the NIK's unique index stands between them.
        {
            "session_id": sessions[i % 2],
            "day": days[i % 3].isoformat(),
            "phone": f"+62813000{i:05d}",
            "nik": nik,
            "mode": MODES[i % len(MODES)],
        }
        for i in range(8)
    ]

    result = race(database_url, jobs)
    result.report("nik", 1)

    assert [r for r in result.results if r["outcome"] == "error"] == []
    assert result.outcomes() == {"won": 1, "nik_taken": 7}
    (winner,) = [r for r in result.results if r["outcome"] == "won"]
    assert {r["code"] for r in result.results if r["outcome"] == "refused"} == {winner["code"]}
    with db.transaction() as session:
        held_or_booked = session.scalars(
            select(Booking.code).where(Booking.nik == nik, Booking.status.in_(("held", "booked", "confirmed")))
        ).all()
        assert held_or_booked == [winner["code"]]
    db.dispose()
