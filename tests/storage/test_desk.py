"""The day's bookings at the desk: the sheet, check-in, no-shows, moves and cancellations for citizens, search, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from storage import desk, quota
from storage.bookings import hold_place
from storage.calendar import places
from storage.conversations import lock_conversation
from storage.db import Database
from storage.desk import DeskError
from storage.models import AuditEvent, Officer
from storage.offices import office_by_code
from tests.builders import booking, make_booking, make_officer, nik, outbox, session_id, wib
from tests.conftest import START

TODAY = dt.date(2026, 12, 1)  # Tuesday
WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = (dt.date(2026, 12, d) for d in (2, 3, 4, 5))
ANI, BUDI, CITRA = "+6281211110001", "+6281322220002", "+6285733330003"


# --- builders (test_quota and test_calendar_overrides use them too) ---------------------------


def act(db: Database, action, officer: Officer, *args, **kwargs):
    """Run one desk or quota action for the office PLG in its own transaction, as a page would."""
    with db.transaction() as session:
        return action(session, officer, office_by_code(session, "PLG"), *args, **kwargs)


def refused(db: Database, action, officer: Officer, *args, **kwargs) -> DeskError:
    with pytest.raises(DeskError) as error:
        act(db, action, officer, *args, **kwargs)
    return error.value


def audit_actions(db: Database) -> list[tuple[str, str]]:
    with db.transaction() as session:
        return [(e.action, e.subject) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def available(db: Database, day: dt.date, start: str, now: dt.datetime = START) -> int:
    with db.transaction() as session:
        (found,) = places(session, office_by_code(session, "PLG"), day, day, now)
        return next((s.available for s in found.sessions if s.session.start == start), 0)


@pytest.fixture
def clerk(db) -> Officer:
    return make_officer(db, "clerk", password=None)


@pytest.fixture
def chief(db) -> Officer:
    return make_officer(db, "chief", role="supervisor", password=None)


# --- the day's sheet ---------------------------------------------------------------------------


def test_the_day_sheet_counts_each_session_with_its_override_and_masks_the_citizens(db, clerk, chief):
    ani = make_booking(db, ANI, 1, WEDNESDAY, "08:00", name="Ani Lestari")
    make_booking(db, BUDI, 2, WEDNESDAY, "08:00", name="budi Santoso")
    make_booking(db, CITRA, 3, WEDNESDAY, "13:00")
    act(db, quota.set_capacity, chief, session_id(db, "08:00"), WEDNESDAY, WEDNESDAY, 5, START)
    early = session_id(db, "08:00")
    with db.transaction() as session:  # a citizen at the summary right now holds a place
        office = office_by_code(session, "PLG")
        hold_place(
            session,
            office,
            lock_conversation(session, office, "+6281344440004", "sms", START),
            session_id=early,
            day=WEDNESDAY,
            service="new",
            passport_type="electronic",
            name="Dewi",
            nik=nik(4),
            moving=None,
            now=START,
            hold_minutes=10,
            max_per_phone=5,
        )

    sheet = act(db, lambda s, o, office: desk.day_sheet(s, office, WEDNESDAY, START), clerk)

    assert sheet.closed is None
    assert [(s.number, s.start, s.capacity, s.booked, s.held, s.free) for s in sheet.sessions] == [
        (1, "08:00", 5, 2, 1, 2),
        (2, "10:00", 50, 0, 0, 50),
        (3, "13:00", 50, 1, 0, 49),
    ]
    first = sheet.sessions[0].bookings
    assert [b.name for b in first] == ["Ani Lestari", "budi Santoso"]  # by name, holds not listed
    assert first[0].code == ani and first[0].nik == "************0001"
    assert first[0].phone == "+62812****0001" and "1111" not in first[0].phone
    assert (first[0].service, first[0].passport_type, first[0].status) == ("renewal", "ordinary", "booked")


def test_a_closed_days_sheet_still_lists_its_bookings_with_no_place_free(db, clerk, chief):
    code = make_booking(db, ANI, 1, WEDNESDAY, "10:00")
    act(db, quota.close_date, chief, WEDNESDAY, "Banjir", START)
    sheet = act(db, lambda s, o, office: desk.day_sheet(s, office, WEDNESDAY, START), clerk)
    assert (sheet.closed, sheet.closed_name) == ("office", "Banjir")
    assert [(s.number, s.start, s.booked, s.free) for s in sheet.sessions] == [
        (None, "08:00", 0, 0),
        (None, "10:00", 1, 0),
        (None, "13:00", 0, 0),
    ]
    assert [b.code for b in sheet.sessions[1].bookings] == [code]


# --- check-in ----------------------------------------------------------------------------------


def test_check_in_only_today_and_only_once(db, clerk):
    today = make_booking(db, ANI, 1, TODAY, "10:00")
    tomorrow = make_booking(db, BUDI, 2, WEDNESDAY, "10:00")

    checked = act(db, desk.check_in, clerk, today.lower().replace("-", ""), wib(1, 9, 40))

    assert (checked.status, checked.checked_in_at) == ("checked_in", wib(1, 9, 40))
    assert refused(db, desk.check_in, clerk, today, wib(1, 9, 45)).reason == "already_checked_in"
    error = refused(db, desk.check_in, clerk, tomorrow, wib(1, 9, 45))
    assert error.reason == "not_today" and error.details["date"] == WEDNESDAY
    assert refused(db, desk.check_in, clerk, "PLG-2222222", wib(1, 9, 45)).reason == "not_found"
    assert refused(db, desk.check_in, clerk, "hello", wib(1, 9, 45)).reason == "not_found"
    # Wednesday comes: now it is today's.
    assert act(db, desk.check_in, clerk, tomorrow, wib(2, 10, 5)).status == "checked_in"
    assert audit_actions(db) == [("check_in", f"booking:{today}"), ("check_in", f"booking:{tomorrow}")]


def test_check_in_refuses_a_cancelled_booking_and_another_offices_officer(db, clerk):
    code = make_booking(db, ANI, 1, TODAY, "13:00")
    stranger = make_officer(db, "stranger", offices=(), password=None)
    assert refused(db, desk.check_in, stranger, code, START).reason == "not_found"
    act(db, desk.cancel_for_citizen, clerk, code, START, "asked by phone")
    error = refused(db, desk.check_in, clerk, code, START)
    assert error.reason == "not_active" and error.details["status"] == "cancelled"


# --- no-shows ----------------------------------------------------------------------------------


def test_no_shows_are_marked_after_their_session_ended(db, clerk):
    came = make_booking(db, ANI, 1, TODAY, "10:00")
    stayed_away = make_booking(db, BUDI, 2, TODAY, "10:00")
    afternoon = make_booking(db, CITRA, 3, TODAY, "13:00")
    act(db, desk.check_in, clerk, came, wib(1, 10, 5))

    assert act(db, desk.mark_no_shows, clerk, TODAY, wib(1, 11, 59)) == 0  # 10:00-12:00 runs on
    assert act(db, desk.mark_no_shows, clerk, TODAY, wib(1, 12, 30)) == 1
    assert [booking(db, c).status for c in (came, stayed_away, afternoon)] == ["checked_in", "no_show", "confirmed"]
    assert act(db, desk.mark_no_shows, clerk, TODAY, wib(1, 12, 31)) == 0  # nothing twice
    # The next day, the whole of yesterday counts.
    assert act(db, desk.mark_no_shows, clerk, TODAY, wib(2, 8, 0)) == 1
    assert booking(db, afternoon).status == "no_show"
    assert refused(db, desk.mark_no_shows, clerk, WEDNESDAY, wib(1, 12, 0)).reason == "future"
    assert audit_actions(db)[1:] == [("no_show", "date:2026-12-01")] * 2
    # A late arrival marked no-show is still checked in the same day.
    assert act(db, desk.check_in, clerk, stayed_away, wib(1, 15, 0)).status == "checked_in"


# --- changes for a citizen -----------------------------------------------------------------------


def test_cancel_for_a_citizen_frees_the_place_and_tells_them_once(db, clerk):
    code = make_booking(db, ANI, 1, THURSDAY, "10:00")
    assert available(db, THURSDAY, "10:00") == 49

    cancelled = act(db, desk.cancel_for_citizen, clerk, code, START, "  called  the office\n")

    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", START)
    assert available(db, THURSDAY, "10:00") == 50
    (notice,) = outbox(db, "office_cancelled")
    assert notice.body == (
        "Booking " + code + " (Kamis, 3 Desember 2026 10:00-12:00) dibatalkan oleh "
        "kantor imigrasi. Balas 1 untuk memesan lagi, atau PETUGAS untuk bertanya."
    )
    assert notice.delivery == "pending" and notice.booking_id == cancelled.id
    assert refused(db, desk.cancel_for_citizen, clerk, code, START).reason == "not_active"
    assert len(outbox(db, "office_cancelled")) == 1
    with db.transaction() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cancel"))
        assert event.details["reason"] == "called the office" and event.officer_id == clerk.id


def test_move_for_a_citizen_keeps_to_capacity_and_tells_them(db, clerk, chief):
    code = make_booking(db, ANI, 1, WEDNESDAY, "08:00")
    act(db, quota.set_capacity, chief, session_id(db, "10:00"), THURSDAY, THURSDAY, 1, START)
    make_booking(db, BUDI, 2, THURSDAY, "10:00")  # the only place of Thursday 10:00

    error = refused(db, desk.move_for_citizen, clerk, code, THURSDAY, session_id(db, "10:00"), START)
    assert (error.reason, error.details["booked"], error.details["capacity"]) == ("full", 1, 1)
    assert booking(db, code).date == WEDNESDAY and outbox(db, "office_moved") == []

    moved = act(db, desk.move_for_citizen, clerk, code, THURSDAY, session_id(db, "13:00"), START)

    assert (moved.date, moved.session_id, moved.status) == (THURSDAY, session_id(db, "13:00"), "booked")
    assert available(db, WEDNESDAY, "08:00") == 50
    (notice,) = outbox(db, "office_moved")
    assert notice.body == (
        f"Kantor imigrasi memindah booking {code} ke Kamis, 3 Desember 2026 "
        f"13:00-15:00. Kode tetap sama. Tanggal lain? Balas UBAH {code}."
    )
    assert ("move", f"booking:{code}") in audit_actions(db)
    # And back again: a second move is a second message.
    act(db, desk.move_for_citizen, clerk, code, WEDNESDAY, session_id(db, "08:00"), START)
    assert len(outbox(db, "office_moved")) == 2


@pytest.mark.parametrize(
    "day, start, reason",
    [
        (dt.date(2026, 11, 30), "10:00", "past"),
        (TODAY, "08:00", "started"),  # 09:00 now
        (SATURDAY, "10:00", "closed"),
        (dt.date(2026, 12, 25), "10:00", "closed"),  # Christmas
        (dt.date(2027, 1, 4), "10:00", "too_far"),
        (WEDNESDAY, "08:00", "unchanged"),
    ],
)
def test_move_for_a_citizen_refuses_a_session_that_cannot_take_them(db, clerk, day, start, reason):
    code = make_booking(db, ANI, 1, WEDNESDAY, "08:00")
    assert refused(db, desk.move_for_citizen, clerk, code, day, session_id(db, start), START).reason == reason
    assert booking(db, code).date == WEDNESDAY


# --- search and export ---------------------------------------------------------------------------


def test_search_by_code_or_phone_in_the_officers_offices(db, clerk):
    code = make_booking(db, "+6281234567890", 1, WEDNESDAY, "08:00")
    other = make_booking(db, "+6281234567890", 2, THURSDAY, "08:00")
    make_booking(db, BUDI, 3, THURSDAY, "08:00")
    with db.transaction() as session:
        plg = office_by_code(session, "PLG").id
        for text in (code, code.lower(), code.replace("-", "").lower(), f" {code} "):
            assert [b.code for b in desk.search(session, {plg}, text)] == [code], text
        for text in ("081234567890", "0812-3456-7890", "+62 812 3456 7890", "62812345678 90"):
            assert [b.code for b in desk.search(session, {plg}, text)] == [other, code], text
        assert desk.search(session, None, code)[0].phone == "+62812****7890"
        assert desk.search(session, set(), code) == []
        assert desk.search(session, {plg + 1}, code) == []
        assert desk.search(session, {plg}, "Budi") == desk.search(session, {plg}, "") == []


def test_the_day_exports_as_csv_with_masked_niks_and_no_formulas(db, clerk):
    evil = make_booking(db, ANI, 1, TODAY, "10:00", name='=HYPERLINK("http://x.example","klik")')
    plain = make_booking(db, BUDI, 2, TODAY, "13:00", name="Budi Santoso")
    act(db, desk.check_in, clerk, evil, wib(1, 9, 30))

    text = act(db, lambda s, o, office: desk.day_csv(s, office, TODAY), clerk)

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "code",
        "session",
        "name",
        "nik",
        "service",
        "passport_type",
        "status",
        "phone",
        "channel",
        "checked_in_at",
    ]
    assert rows[1] == [
        evil,
        "10:00-12:00",
        '\'=HYPERLINK("http://x.example","klik")',
        "************0001",
        "renewal",
        "ordinary",
        "checked_in",
        "'+62812****0001",
        "whatsapp",
        "2026-12-01T09:30+07:00",
    ]
    assert rows[2][:3] == [plain, "13:00-15:00", "Budi Santoso"] and rows[2][9] == ""
    assert nik(1) not in text and ANI not in text
