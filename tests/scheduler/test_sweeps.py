"""The sweeps as a whole, and lapsed holds: each told once, the conversation back at the menu.

Citizens text the real webhook (the `citizen` fixture) while the test moves the `clock` and
runs the sweeps at `clock()`; what the sweeps queue is read from the messages table (sending
it is the delivery sweep's job). The helpers here serve test_reminders and test_waitlist too.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from conversations.state import Draft, State
from scheduler.run import SWEEPS
from scheduler.run import run_sweeps as run_all
from scheduler.sweeps import expire_holds
from storage.bookings import hold_place
from storage.calendar import places
from storage.conversations import lock_conversation
from storage.db import Database
from storage.models import Booking, Conversation, OfficeSession
from storage.offices import office_by_code
from tests.builders import book, booking, nik, outbox
from tests.conftest import START

ROOT = Path(__file__).resolve().parents[2]


def state_of(db: Database, phone: str) -> State:
    with db.transaction() as session:
        return State.from_json(session.scalar(select(Conversation.state).where(Conversation.phone == phone)))


def available(db: Database, day: dt.date, now: dt.datetime, start: str | None = None) -> int:
    """Return the places left on the day (or in one session), as the calendar shows them."""
    with db.transaction() as session:
        (found,) = places(session, office_by_code(session, "PLG"), day, day, now)
        return sum(s.available for s in found.sessions if start in (None, s.session.start))


def set_capacity(db: Database, capacities: dict[str, int]) -> None:
    """Set the capacity of the office's sessions by start time."""
    with db.transaction() as session:
        for start, capacity in capacities.items():
            session.execute(update(OfficeSession).where(OfficeSession.start == start).values(capacity=capacity))


def race(url: str, code: str, processes: int = 4, timeout: float = 60) -> list[str]:
    """Start processes that run code (argv[1] is the URL), release them at once; return their outputs."""
    script = (
        "import sys\n"
        "from storage.db import Database\n"
        "db = Database(sys.argv[1])\n"
        "with db.engine.connect():\n"
        "    pass\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n" + code + "\n"
        "db.dispose()\n"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, url],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(processes)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    for worker in workers:  # the common start
        worker.stdin.write("\n")
        worker.stdin.flush()
    deadline = time.monotonic() + timeout
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=max(1, deadline - time.monotonic()))
        assert worker.returncode == 0, err
        outputs.append(out.strip())
    return outputs


# --- lapsed holds ---------------------------------------------------------------------------------


def to_summary(citizen, day: str = "Kamis", session: str = "1") -> None:
    for text in ("MENU", "1", "baru elektronik", "Budi Santoso", nik(1), day):
        citizen.says(text)
    assert "Balas YA dlm" in citizen.says(session)[0]


def test_a_lapsed_hold_is_expired_and_the_citizen_told_once(db, citizen, clock):
    to_summary(citizen)
    clock.advance(minutes=9, seconds=59)
    assert expire_holds(db, clock()) == 0
    clock.advance(seconds=1)

    assert expire_holds(db, clock()) == 1
    assert expire_holds(db, clock()) == 0

    [notice] = outbox(db)
    assert notice.kind == "hold_expired" and notice.delivery == "pending"
    assert notice.body == (
        "Waktu tahan habis: tempat Kamis, 3 Desember 2026 08:00-10:00 dilepas. Balas 1 untuk memesan lagi."
    )
    with db.transaction() as session:
        assert session.scalar(select(Booking.status)) == "expired"
    assert state_of(db, citizen.phone).step == "menu"
    # The summary is gone: a late YA books nothing.
    assert "Layanan paspor" in citizen.says("YA")[0]
    with db.transaction() as session:
        assert session.scalar(select(Booking.status)) == "expired"


def test_the_notice_is_in_the_citizens_language(db, citizen, clock):
    citizen.says("EN")
    for text in ("1", "new electronic", "John Smith", nik(1), "Thursday", "1"):
        citizen.says(text)
    clock.advance(minutes=15)
    expire_holds(db, clock())
    [notice] = outbox(db, "hold_expired")
    assert notice.body.startswith("The hold ran out: the place on Thursday, 3 December 2026 08:00-10:00")


def test_a_citizen_who_moved_on_from_the_summary_is_not_told(db, citizen, clock):
    """Told the hold was lost and asked for another session: the lapsed row goes quietly."""
    set_capacity(db, {"08:00": 1})
    to_summary(citizen)
    clock.advance(minutes=11)
    other = citizen.other("+6281298765432")
    for text in ("1", "baru biasa", "Ani Lestari", nik(2), "Kamis", "1", "YA"):
        other.says(text)
    assert "waktu tahan habis" in citizen.says("YA")[0]
    assert state_of(db, citizen.phone).step == "session"

    assert expire_holds(db, clock()) == 1
    assert outbox(db) == []
    assert state_of(db, citizen.phone).step == "session"


def test_a_lapsed_move_keeps_the_booking_and_says_so(db, citizen, clock):
    code = book(citizen, "Kamis")
    citizen.says("UBAH")
    citizen.says("Jumat")
    assert "Pindahkan" in citizen.says("2")[0]
    clock.advance(minutes=10)
    assert expire_holds(db, clock()) == 1
    [notice] = outbox(db, "move_expired")
    assert notice.body == f"Waktu tahan habis: jadwal {code} tidak diubah."
    assert booking(db, code).date == dt.date(2026, 12, 3)


def test_a_hold_confirmed_in_time_is_left_alone(db, citizen, clock):
    code = book(citizen, "Kamis")
    clock.advance(hours=1)
    assert expire_holds(db, clock()) == 0
    assert booking(db, code).status == "booked"


@pytest.mark.slow
def test_two_processes_expire_each_hold_once(db, clock):
    """Several schedulers at the same moment: one notice per hold, whichever process sends it."""
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        session_id = session.scalar(select(OfficeSession.id).where(OfficeSession.start == "08:00"))
        for n in range(1, 9):
            conversation = lock_conversation(session, office, f"+62812000100{n:02d}", "whatsapp", clock())
            hold_place(
                session,
                office,
                conversation,
                session_id=session_id,
                day=dt.date(2026, 12, 3),
                service="new",
                passport_type="ordinary",
                name=f"Warga {n}",
                nik=nik(n),
                moving=None,
                now=clock(),
                hold_minutes=10,
                max_per_phone=5,
            )
            held = session.scalar(select(Booking).where(Booking.conversation_id == conversation.id))
            conversation.state = State(
                step="confirm",
                draft=Draft(
                    service="new",
                    passport_type="ordinary",
                    name=f"Warga {n}",
                    nik=nik(n),
                    date=held.date,
                    session_id=session_id,
                ),
            ).to_json()
    later = clock() + dt.timedelta(minutes=10)
    counts = race(
        db.url,
        "import datetime as dt\nfrom scheduler.sweeps import expire_holds\n"
        f"print(expire_holds(db, dt.datetime.fromisoformat({later.isoformat()!r})))",
    )
    assert sum(int(count) for count in counts) == 8
    notices = outbox(db, "hold_expired")
    assert len(notices) == 8 and len({m.booking_id for m in notices}) == 8


# --- the sweeps together ------------------------------------------------------------------------


def test_run_all_runs_every_sweep_in_order(db):
    assert list(run_all(db, START)) == [
        "expire_holds",
        "expire_offers",
        "release_unconfirmed",
        "offer_waitlist",
        "send_reminders",
    ]
    assert run_all(db, START) == dict.fromkeys(run_all(db, START), 0)


def test_the_sweeps_read_no_clock_but_now():
    """Every instant the sweeps compare comes from the `now` they are given."""
    for path in (
        "scheduler/sweeps.py",
        "storage/reminders.py",
        "storage/holds.py",
        "storage/waitlist.py",
        "storage/bookings.py",
    ):
        source = (ROOT / path).read_text("utf-8")
        assert not re.search(r"\.(now|utcnow|today)\(\)|time\.time\(", source), path
    assert all(callable(sweep) for sweep in SWEEPS)


@pytest.mark.parametrize("sweep", SWEEPS, ids=lambda sweep: sweep.__name__)
def test_each_sweep_is_a_plain_function_of_db_and_now(db, sweep):
    assert sweep(db, START) == 0
