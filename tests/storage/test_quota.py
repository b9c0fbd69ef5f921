"""Supervisors change the calendar: capacity per date, closed dates (and rebooking by reply), extra sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage import desk, quota
from storage.bookings import Refused, confirm_hold, hold_place
from storage.calendar import places
from storage.conversations import lock_conversation
from storage.models import AuditEvent, Booking, ClosedDate, OfficeSession, SessionDay
from storage.offices import office_by_code
from tests.builders import CODE_RE, booking, make_booking, make_officer, nik, outbox, session_id
from tests.conftest import START
from tests.storage.test_desk import (
    ANI,
    BUDI,
    CITRA,
    FRIDAY,
    SATURDAY,
    THURSDAY,
    TODAY,
    WEDNESDAY,
    act,
    audit_actions,
    available,
    refused,
)

CHRISTMAS = dt.date(2026, 12, 25)
MONDAY, TUESDAY = dt.date(2026, 12, 7), dt.date(2026, 12, 8)


@pytest.fixture
def chief(db):
    return make_officer(db, "chief", role="supervisor", password=None)


def overrides(db) -> dict[dt.date, int | None]:
    with db.transaction() as session:
        return dict(session.execute(select(SessionDay.date, SessionDay.capacity)).all())


def day_of(db, day: dt.date, now: dt.datetime = START):
    with db.transaction() as session:
        (found,) = places(session, office_by_code(session, "PLG"), day, day, now)
        return found


def hold(db, phone: str, n: int, day: dt.date, start: str) -> Booking:
    sid = session_id(db, start)
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
            name="Dewi",
            nik=nik(n),
            moving=None,
            now=START,
            hold_minutes=10,
            max_per_phone=5,
        )


# --- capacity --------------------------------------------------------------------------------


def test_capacity_below_what_is_booked_is_refused_and_changes_nothing(db, chief):
    early = session_id(db, "08:00")
    make_booking(db, ANI, 1, THURSDAY)
    make_booking(db, BUDI, 2, THURSDAY)
    hold(db, CITRA, 3, THURSDAY, "08:00")  # a live hold counts too

    error = refused(db, quota.set_capacity, chief, early, WEDNESDAY, FRIDAY, 2, START)

    assert error.reason == "below_booked"
    assert (error.details["date"], error.details["booked"], error.details["capacity"]) == (THURSDAY, 3, 2)
    assert "Thu 03 Dec 2026" in str(error) and "3 places" in str(error) and "Move the surplus first" in str(error)
    assert all(capacity is None for capacity in overrides(db).values())  # Wednesday untouched too
    assert ("capacity", f"session:{early}") not in audit_actions(db)
    # Exactly what is taken is allowed, and then the session is full.
    assert act(db, quota.set_capacity, chief, early, THURSDAY, THURSDAY, 3, START) == [THURSDAY]
    with pytest.raises(Refused) as full:
        hold(db, "+6281344440004", 4, THURSDAY, "08:00")
    assert full.value.reason == "full"


def test_capacity_is_set_on_every_open_date_of_the_range_and_can_be_given_back(db, chief):
    early = session_id(db, "08:00")
    act(db, quota.close_date, chief, MONDAY, "Rapat dinas", START)

    changed = act(db, quota.set_capacity, chief, early, WEDNESDAY, TUESDAY, 10, START)

    assert changed == [WEDNESDAY, THURSDAY, FRIDAY, TUESDAY]  # not the weekend nor the closed Monday
    assert [s.capacity for s in day_of(db, THURSDAY).sessions] == [10, 50, 50]
    assert available(db, TUESDAY, "08:00") == 10 and available(db, TODAY, "10:00") == 50
    with db.transaction() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "capacity"))
        assert event.officer_id == chief.id and event.subject == f"session:{early}"
        assert event.details["capacity"] == 10 and len(event.details["dates"]) == 4

    act(db, quota.set_capacity, chief, early, WEDNESDAY, TUESDAY, None, START)
    assert [s.capacity for s in day_of(db, THURSDAY).sessions] == [50, 50, 50]


@pytest.mark.parametrize(
    "first, last, capacity, reason",
    [
        (WEDNESDAY, WEDNESDAY, -1, "bad_capacity"),
        (WEDNESDAY, WEDNESDAY, 10_001, "bad_capacity"),
        (WEDNESDAY, WEDNESDAY, True, "bad_capacity"),
        (FRIDAY, WEDNESDAY, 10, "bad_range"),
        (dt.date(2026, 11, 30), WEDNESDAY, 10, "past"),
        (SATURDAY, dt.date(2026, 12, 6), 10, "no_open_dates"),
    ],
)
def test_capacity_refusals(db, chief, first, last, capacity, reason):
    early = session_id(db, "08:00")
    assert refused(db, quota.set_capacity, chief, early, first, last, capacity, START).reason == reason


def test_only_supervisors_and_admins_change_the_calendar(db):
    clerk = make_officer(db, "clerk", password=None)
    early = session_id(db, "08:00")
    assert refused(db, quota.set_capacity, clerk, early, WEDNESDAY, WEDNESDAY, 5, START).reason == "not_allowed"
    assert refused(db, quota.close_date, clerk, WEDNESDAY, None, START).reason == "not_allowed"
    assert refused(db, quota.add_extra_session, clerk, SATURDAY, "09:00", "12:00", 10, START).reason == "not_allowed"
    admin = make_officer(db, "boss", role="admin", offices=(), password=None)
    assert act(db, quota.set_capacity, admin, early, WEDNESDAY, WEDNESDAY, 5, START) == [WEDNESDAY]


# --- closing a date --------------------------------------------------------------------------


def test_a_closed_date_tells_its_citizens_the_nearest_dates_and_they_rebook_by_reply(db, citizen, chief):
    for text in ("1", "baru biasa", "Budi Santoso", nik(1), "2/12", "1"):
        citizen.says(text)
    code = CODE_RE.search(citizen.says("YA")[0]).group()
    other = make_booking(db, ANI, 2, WEDNESDAY, "13:00")
    held = hold(db, CITRA, 3, WEDNESDAY, "10:00")  # someone at the summary of Wednesday right now

    closure = act(db, quota.close_date, chief, WEDNESDAY, "Banjir", START)

    assert set(closure.notified) == {code, other} and closure.holds_dropped == 1
    assert closure.nearest == (TODAY, THURSDAY, FRIDAY)
    wednesday = day_of(db, WEDNESDAY)
    assert (wednesday.closed, wednesday.holiday, wednesday.sessions) == ("office", "Banjir", ())
    notices = {m.booking_id: m for m in outbox(db, "date_closed")}
    assert notices[booking(db, code).id].body == (
        f"Kantor tutup Rabu, 2 Desember 2026, hari booking {code}. Tanggal terdekat yang masih ada "
        "tempat: Selasa, 1 Desember 2026; Kamis, 3 Desember 2026; Jumat, 4 Desember 2026. Balas UBAH "
        f"{code} untuk pindah jadwal, atau BATAL {code}."
    )
    assert len(notices) == 2
    with db.transaction() as session:
        assert session.scalar(select(ClosedDate.source).where(ClosedDate.date == WEDNESDAY)) == "officer"
    assert ("close_date", "date:2026-12-02") in audit_actions(db)
    # The held place is gone: its YA cannot book a closed day.
    with db.transaction() as session, pytest.raises(Refused) as lost:
        office = office_by_code(session, "PLG")
        confirm_hold(session, office, lock_conversation(session, office, CITRA, "whatsapp", START), held.code, START)
    assert lost.value.reason == "hold_lost"
    # The booking stays until the citizen moves it, by replying as the message says.
    assert booking(db, code).status == "booked"
    assert "Tanggal berapa" in citizen.says(f"UBAH {code}")[-1]
    assert "Pilih sesi" in citizen.says("3/12")[0]
    assert citizen.says("2")[0].startswith(f"Pindahkan {code} ke Kamis, 3 Desember 2026 10:00-12:00?")
    assert citizen.says("YA")[0].startswith(f"Jadwal {code} dipindah ke Kamis, 3 Desember 2026 10:00-12:00")
    moved = booking(db, code)
    assert (moved.date, moved.session_id, moved.status) == (THURSDAY, session_id(db, "10:00"), "booked")
    # Nobody can book the closed day any more.
    newcomer = citizen.other("+6281399990009")
    for text in ("1", "baru biasa", "Siti Aminah", nik(9)):
        newcomer.says(text)
    assert "kantor tutup" in newcomer.says("2/12")[0]


def test_a_closed_date_without_free_dates_says_so(db, chief):
    code = make_booking(db, ANI, 1, WEDNESDAY, "13:00")
    with db.transaction() as session:  # every other place up to the horizon is taken
        session.execute(SessionDay.__table__.delete())
        session.execute(OfficeSession.__table__.update().values(capacity=0))
    act(db, quota.close_date, chief, WEDNESDAY, None, START)
    (notice,) = outbox(db, "date_closed_none")
    assert notice.body == (
        f"Kantor tutup Rabu, 2 Desember 2026 (booking {code}). Tempat kosong habis sampai "
        f"Kamis, 31 Desember 2026. Balas UBAH {code} nanti atau PETUGAS."
    )


def test_reopening_a_date_tells_the_citizens_still_booked_on_it(db, chief):
    stays = make_booking(db, ANI, 1, THURSDAY, "10:00")
    leaves = make_booking(db, BUDI, 2, THURSDAY, "13:00")
    act(db, quota.close_date, chief, THURSDAY, "Pemadaman listrik", START)
    clerk = make_officer(db, "clerk", password=None)
    act(db, desk.move_for_citizen, clerk, leaves, FRIDAY, session_id(db, "13:00"), START)
    assert refused(db, quota.close_date, chief, THURSDAY, None, START).reason == "already_closed"

    told = act(db, quota.reopen_date, chief, THURSDAY, START)

    assert told == (stays,)
    assert day_of(db, THURSDAY).open and available(db, THURSDAY, "10:00") == 49
    (notice,) = outbox(db, "date_reopened")
    assert notice.body == (
        f"Kantor buka lagi Kamis, 3 Desember 2026. Booking {stays} 10:00-12:00 tetap "
        "berlaku, tidak perlu pindah jadwal."
    )
    assert refused(db, quota.reopen_date, chief, THURSDAY, START).reason == "not_closed"
    # Closed again, the citizen still on it is told again.
    act(db, quota.close_date, chief, THURSDAY, None, START)
    notices = outbox(db, "date_closed")
    assert len(notices) == 3 and notices[-1].booking_id == booking(db, stays).id
    assert [a for a, _ in audit_actions(db)] == ["close_date", "move", "reopen_date", "close_date"]


def test_closing_and_reopening_refusals(db, chief):
    with db.transaction() as session:
        session.add(ClosedDate(office_id=office_by_code(session, "PLG").id, date=FRIDAY, source="file"))
    assert refused(db, quota.close_date, chief, SATURDAY, None, START).details["closed"] == "weekday"
    assert refused(db, quota.close_date, chief, CHRISTMAS, None, START).details["closed"] == "holiday"
    assert refused(db, quota.close_date, chief, FRIDAY, None, START).details["closed"] == "office"
    assert refused(db, quota.close_date, chief, dt.date(2026, 11, 30), None, START).reason == "past"
    assert refused(db, quota.reopen_date, chief, FRIDAY, START).reason == "closed_by_file"
    assert refused(db, quota.reopen_date, chief, CHRISTMAS, START).reason == "holiday"
    assert audit_actions(db) == []


# --- extra sessions --------------------------------------------------------------------------


def test_an_extra_session_opens_a_saturday_and_refuses_overlaps_and_holidays(db, chief):
    extra = act(db, quota.add_extra_session, chief, SATURDAY, "09:00", "12:00", 20, START)

    assert (extra.only_on, extra.start, extra.end, extra.capacity) == (SATURDAY, "09:00", "12:00", 20)
    saturday = day_of(db, SATURDAY)
    assert saturday.open and [(s.number, s.session.start, s.capacity) for s in saturday.sessions] == [(1, "09:00", 20)]
    assert not day_of(db, dt.date(2026, 12, 6)).open  # Sunday stays closed
    assert ("extra_session", f"session:{extra.id}") in audit_actions(db)

    def reason(day, start, end, capacity=10):
        return refused(db, quota.add_extra_session, chief, day, start, end, capacity, START).reason

    assert reason(SATURDAY, "11:00", "13:00") == "overlap"
    assert reason(WEDNESDAY, "09:30", "10:30") == "overlap"  # the daily 08:00-10:00 and 10:00-12:00
    assert reason(CHRISTMAS, "09:00", "12:00") == "holiday"
    assert reason(TODAY, "08:30", "08:45") == "started"
    assert reason(SATURDAY, "13:00", "12:00") == "bad_times"
    assert reason(SATURDAY, "25:00", "26:00") == "bad_times"
    assert reason(SATURDAY, "13:00", "14:00", 0) == "bad_capacity"
    act(db, quota.close_date, chief, FRIDAY, None, START)
    assert reason(FRIDAY, "15:00", "16:00") == "closed"
    # After the daily sessions, on a weekday: numbered after them.
    act(db, quota.add_extra_session, chief, WEDNESDAY, "15:00", "17:00", 5, START)
    assert [(s.number, s.session.start) for s in day_of(db, WEDNESDAY).sessions] == [
        (1, "08:00"),
        (2, "10:00"),
        (3, "13:00"),
        (4, "15:00"),
    ]


def test_a_booking_on_a_closed_date_gets_no_reminder_and_is_not_released(db, chief):
    """The citizen was told the office is closed that day: a reminder to come would contradict it."""
    from scheduler.sweeps import release_unconfirmed, send_reminders

    code = make_booking(db, ANI, 1, THURSDAY, "08:00")
    act(db, quota.close_date, chief, THURSDAY, None, START)
    day_before_at_nine = dt.datetime(2026, 12, 2, 9, 0, tzinfo=START.tzinfo)
    assert send_reminders(db, day_before_at_nine) == 0
    assert outbox(db, "reminder") == []
    assert release_unconfirmed(db, day_before_at_nine.replace(hour=21)) == 0
    assert booking(db, code).status == "booked"
