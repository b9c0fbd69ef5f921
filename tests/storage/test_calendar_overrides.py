"""The calendar honours a date's capacity and one-date extra sessions, for places() and for holds alike."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select

from storage import quota
from storage.bookings import Refused, hold_place
from storage.calendar import closed_on, closed_reason, places
from storage.conversations import lock_conversation
from storage.models import Booking
from storage.offices import office_by_code
from tests.builders import CODE_RE, make_booking, make_officer, nik, session_id
from tests.conftest import START
from tests.storage.test_desk import SATURDAY, THURSDAY, WEDNESDAY, act

SUNDAY = dt.date(2026, 12, 6)
CHRISTMAS = dt.date(2026, 12, 25)


@pytest.fixture
def chief(db):
    return make_officer(db, "chief", role="supervisor", password=None)


def days(db, first: dt.date, last: dt.date):
    with db.transaction() as session:
        return {d.date: d for d in places(session, office_by_code(session, "PLG"), first, last, START)}


def try_hold(db, phone: str, n: int, day: dt.date, sid: int) -> Booking:
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        return hold_place(
            session,
            office,
            lock_conversation(session, office, phone, "whatsapp", START),
            session_id=sid,
            day=day,
            service="new",
            passport_type="electronic",
            name="Dewi Sartika",
            nik=nik(n),
            moving=None,
            now=START,
            hold_minutes=10,
            max_per_phone=5,
        )


def start_booking(citizen, n: int, day: str) -> list[str]:
    """Answer the booking questions up to the date; return the replies to the date."""
    for text in ("1", "baru biasa", ("Budi", "Siti", "Agus")[n % 3] + " Santoso", nik(n)):
        citizen.says(text)
    return citizen.says(day)


def test_a_dates_capacity_is_what_places_shows_and_what_holds_keep_to(db, citizen, chief):
    early = session_id(db, "08:00")
    act(db, quota.set_capacity, chief, early, WEDNESDAY, WEDNESDAY, 1, START)
    shown = days(db, WEDNESDAY, THURSDAY)
    assert [(s.capacity, s.available) for s in shown[WEDNESDAY].sessions] == [(1, 1), (50, 50), (50, 50)]
    assert [s.capacity for s in shown[THURSDAY].sessions] == [50, 50, 50]

    assert "1) 08:00-10:00 (1 tempat)" in start_booking(citizen, 1, "2/12")[0]
    citizen.says("1")
    assert citizen.says("YA")[0].startswith("Booking berhasil")

    # The next citizen is not offered the session, and cannot have it by number either.
    other = citizen.other("+6281322220002")
    sessions = start_booking(other, 2, "2/12")[0]
    assert "08:00" not in sessions and "1) 10:00-12:00 (50 tempat)" not in sessions
    assert "2) 10:00-12:00 (50 tempat)" in sessions
    assert other.says("1")[0] == "Sesi 1 sudah penuh."
    # Storage refuses it too, whatever the conversation believed.
    with pytest.raises(Refused) as full:
        try_hold(db, "+6281333330003", 3, WEDNESDAY, early)
    assert full.value.reason == "full"
    assert days(db, WEDNESDAY, WEDNESDAY)[WEDNESDAY].sessions[0].available == 0


def test_an_extra_saturday_session_is_bookable_through_the_webhook(db, citizen, chief):
    assert "kantor tutup pada hari itu" in start_booking(citizen, 1, "5/12")[0]  # not yet
    extra = act(db, quota.add_extra_session, chief, SATURDAY, "09:00", "12:00", 2, START)

    assert citizen.says("5/12")[0] == "Sabtu, 5 Desember 2026. Pilih sesi: 1) 09:00-12:00 (2 tempat). Balas nomor sesi."
    assert "5 Sabtu 5 Des 6 09:00-12:00" in citizen.says("1")[0]
    code = CODE_RE.search(citizen.says("YA")[0]).group()

    with db.transaction() as session:
        booked = session.scalar(select(Booking).where(Booking.code == code))
        assert (booked.date, booked.session_id, booked.status) == (SATURDAY, extra.id, "booked")
    shown = days(db, SATURDAY, SUNDAY)
    assert [(s.number, s.session.start, s.available) for s in shown[SATURDAY].sessions] == [(1, "09:00", 1)]
    assert shown[SUNDAY].closed == "weekday"
    # The daily sessions do not run on the Saturday, and the extra one runs on no other day.
    for day, sid in ((SATURDAY, session_id(db, "08:00")), (SUNDAY, extra.id), (THURSDAY, extra.id)):
        with pytest.raises(Refused) as closed:
            try_hold(db, "+6281333330003", 3, day, sid)
        assert closed.value.reason == "closed"


def test_extra_sessions_are_numbered_in_start_order_with_the_daily_ones(db, chief):
    act(db, quota.add_extra_session, chief, THURSDAY, "07:00", "08:00", 5, START)
    act(db, quota.add_extra_session, chief, THURSDAY, "15:00", "16:00", 6, START)
    shown = days(db, WEDNESDAY, THURSDAY)
    assert [(s.number, s.session.start, s.capacity) for s in shown[THURSDAY].sessions] == [
        (1, "07:00", 5),
        (2, "08:00", 50),
        (3, "10:00", 50),
        (4, "13:00", 50),
        (5, "15:00", 6),
    ]
    assert len(shown[WEDNESDAY].sessions) == 3
    make_booking(db, "+6281211110001", 1, THURSDAY, "10:00")
    assert days(db, THURSDAY, THURSDAY)[THURSDAY].sessions[2].booked == 1


def test_holidays_and_closed_dates_close_a_day_with_an_extra_session(db, chief):
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        assert closed_reason(office, CHRISTMAS, {}, {CHRISTMAS})[0] == "holiday"
        assert closed_reason(office, SATURDAY, {}, {SATURDAY}) == (None, None)
        assert closed_reason(office, SATURDAY, {SATURDAY: "Banjir"}, {SATURDAY}) == ("office", "Banjir")
        assert closed_on(session, office, SATURDAY)[0] == "weekday"
    act(db, quota.add_extra_session, chief, SATURDAY, "09:00", "12:00", 20, START)
    with db.transaction() as session:
        assert closed_on(session, office_by_code(session, "PLG"), SATURDAY) == (None, None)
    act(db, quota.close_date, chief, SATURDAY, "Banjir", START)
    saturday = days(db, SATURDAY, SATURDAY)[SATURDAY]
    assert (saturday.closed, saturday.sessions) == ("office", ())


# --- under the lock: a hold that waits on a supervisor's change sees it ----------------------


def _hold_while(db, change) -> str:
    """Run change(session) in a transaction left open while another process holds a place on Thursday 08:00.

    Return what became of the hold ("held", or the refusal's reason): it waits for the change
    to commit (PostgreSQL: on the session-day lock; SQLite: on BEGIN IMMEDIATE).
    """
    early = session_id(db, "08:00")
    outcome: dict[str, str] = {}

    def attempt() -> None:
        try:
            try_hold(db, "+6281333330003", 3, THURSDAY, early)
            outcome["hold"] = "held"
        except Refused as refused:
            outcome["hold"] = refused.reason

    with db.transaction() as session:
        change(session, office_by_code(session, "PLG"), early)
        other = threading.Thread(target=attempt)
        other.start()
        time.sleep(0.3)
        assert other.is_alive(), outcome  # waiting for this transaction
    other.join(timeout=20)
    return outcome["hold"]


def test_a_hold_waiting_on_a_capacity_change_keeps_to_the_new_capacity(db, chief):
    make_booking(db, "+6281211110001", 1, THURSDAY, "08:00")
    assert (
        _hold_while(db, lambda s, office, sid: quota.set_capacity(s, chief, office, sid, THURSDAY, THURSDAY, 1, START))
        == "full"
    )


def test_a_hold_waiting_on_a_closure_is_refused(db, chief):
    assert _hold_while(db, lambda s, office, sid: quota.close_date(s, chief, office, THURSDAY, None, START)) == "closed"
