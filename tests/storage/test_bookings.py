"""Holds and bookings: codes, capacity, lapsed holds, NIK and phone limits, cancelling, moving, closed days."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from storage.bookings import Refused, cancel_booking, confirm_hold, hold_place
from storage.calendar import places
from storage.conversations import lock_conversation
from storage.db import Database
from storage.models import Booking, ClosedDate, Office, OfficeSession
from storage.offices import load_offices, parse_offices
from tests.conftest import START

NOW = START  # Tuesday 1 December 2026, 09:00 WIB
WEDNESDAY = dt.date(2026, 12, 2)
THURSDAY = dt.date(2026, 12, 3)
CODE_RE = re.compile(r"^PLG-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$")
ANI, BUDI = "+6281211110001", "+6281322220002"
NIK_ANI, NIK_BUDI = "1671014101900001", "1671015202910002"


# --- builders -------------------------------------------------------------------------------


def office(session, code: str = "PLG") -> Office:
    return session.scalar(select(Office).where(Office.code == code))


def session_id(session, start: str, code: str = "PLG") -> int:
    return session.scalar(
        select(OfficeSession.id).join(Office).where(Office.code == code, OfficeSession.start == start)
    )


def set_capacity(db: Database, start: str, capacity: int) -> None:
    with db.transaction() as session:
        session.execute(
            update(OfficeSession).where(OfficeSession.id == session_id(session, start)).values(capacity=capacity)
        )


def hold(
    db: Database,
    phone: str = ANI,
    *,
    nik: str | None = NIK_ANI,
    day: dt.date = WEDNESDAY,
    start: str = "10:00",
    now: dt.datetime = NOW,
    moving: str | None = None,
    max_per_phone: int = 5,
    office_code: str = "PLG",
) -> Booking:
    """Hold a place for the phone the way a message does: lock its conversation, then hold."""
    with db.transaction() as session:
        at = office(session, office_code)
        conversation = lock_conversation(session, at, phone, "whatsapp", now)
        return hold_place(
            session,
            at,
            conversation,
            session_id=session_id(session, start, office_code),
            day=day,
            service="new",
            passport_type="electronic",
            name="Ani Lestari",
            nik=nik,
            moving=moving,
            now=now,
            hold_minutes=10,
            max_per_phone=max_per_phone,
        )


def confirm(db: Database, phone: str, code: str, *, now: dt.datetime = NOW, office_code: str = "PLG") -> Booking:
    with db.transaction() as session:
        at = office(session, office_code)
        conversation = lock_conversation(session, at, phone, "whatsapp", now)
        return confirm_hold(session, at, conversation, code, now)


def make_booking(db: Database, phone: str = ANI, *, now: dt.datetime = NOW, **where) -> Booking:
    """Hold then confirm a place; return the booking."""
    held = hold(db, phone, now=now, **where)
    return confirm(db, phone, held.code, now=now, office_code=where.get("office_code", "PLG"))


def cancel(db: Database, phone: str, code: str, now: dt.datetime = NOW) -> Booking:
    with db.transaction() as session:
        return cancel_booking(session, office(session), phone, code, now)


def available(db: Database, day: dt.date = WEDNESDAY, start: str = "10:00", now: dt.datetime = NOW) -> int:
    """Return the places left in the session on the day, as the calendar shows them."""
    with db.transaction() as session:
        (found,) = places(session, office(session), day, day, now)
        return next((s.available for s in found.sessions if s.session.start == start), 0)


def booking(db: Database, code: str) -> Booking:
    with db.transaction() as session:
        return session.scalar(select(Booking).where(Booking.code == code))


def refusal(call, *args, **kwargs) -> Refused:
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return refused.value


# --- hold and confirm -----------------------------------------------------------------------


def test_hold_then_confirm_books_the_place_with_a_code(db: Database) -> None:
    """A hold lasts 10 minutes; confirming it books the place under a PLG- code."""
    held = hold(db, day=THURSDAY)
    assert held.status == "held"
    assert held.hold_expires_at == NOW + dt.timedelta(minutes=10)
    assert CODE_RE.match(held.code)

    booked = confirm(db, ANI, held.code, now=NOW + dt.timedelta(minutes=3))

    assert (booked.code, booked.status) == (held.code, "booked")
    stored = booking(db, held.code)
    assert (stored.status, stored.date, stored.nik, stored.phone) == ("booked", THURSDAY, NIK_ANI, ANI)
    assert stored.booked_at == NOW + dt.timedelta(minutes=3)
    assert stored.hold_expires_at is None and stored.confirmed_at is None
    assert available(db, day=THURSDAY) == 49


def test_a_booking_made_after_its_reminder_time_is_confirmed_at_once(db: Database) -> None:
    """Booked after 09:00 for tomorrow: no reminder will come, so it counts as confirmed."""
    held = hold(db)  # Wednesday, held at 09:00 sharp on Tuesday
    booked = confirm(db, ANI, held.code, now=NOW + dt.timedelta(minutes=3))
    assert (booked.status, booked.confirmed_at) == ("confirmed", NOW + dt.timedelta(minutes=3))
    assert available(db) == 49


def test_a_booking_made_at_the_reminder_time_itself_still_gets_its_reminder(db: Database) -> None:
    """At 09:00:00 exactly the reminder sweep is due for it: it stays booked, to be reminded."""
    assert make_booking(db, ANI).status == "booked"  # Wednesday, held and confirmed at 09:00


def test_codes_are_distinct(db: Database) -> None:
    """Every booking gets its own code."""
    codes = {make_booking(db, f"+62812000000{i:02d}", nik=f"16710101019000{i:02d}").code for i in range(20)}
    assert len(codes) == 20
    assert all(CODE_RE.match(code) for code in codes)


def test_a_hold_counts_until_it_expires_without_any_sweep(db: Database) -> None:
    """A live hold takes a place; ten minutes later the place is free again, no job needed."""
    set_capacity(db, "10:00", 1)
    hold(db, ANI)
    assert available(db, now=NOW) == 0
    assert available(db, now=NOW + dt.timedelta(minutes=9, seconds=59)) == 0
    assert refusal(hold, db, BUDI, nik=NIK_BUDI, now=NOW + dt.timedelta(minutes=9)).reason == "full"

    assert available(db, now=NOW + dt.timedelta(minutes=10)) == 1
    assert hold(db, BUDI, nik=NIK_BUDI, now=NOW + dt.timedelta(minutes=10)).status == "held"


def test_a_new_hold_gives_back_the_conversations_previous_one(db: Database) -> None:
    """Choosing another session releases the place held a moment before."""
    hold(db, ANI, start="10:00")
    hold(db, ANI, start="13:00")
    assert (available(db, start="10:00"), available(db, start="13:00")) == (50, 49)


def test_a_lapsed_hold_can_still_be_confirmed_if_the_place_is_free(db: Database) -> None:
    """Confirming after the ten minutes still books when nobody took the place."""
    set_capacity(db, "10:00", 1)
    held = hold(db, ANI)
    booked = confirm(db, ANI, held.code, now=NOW + dt.timedelta(minutes=25))
    assert (booked.code, booked.status) == (held.code, "confirmed")  # after 09:00 for tomorrow
    assert available(db, now=NOW + dt.timedelta(minutes=25)) == 0


def test_a_lapsed_hold_whose_place_was_taken_is_lost(db: Database) -> None:
    """If someone took the place after the hold lapsed, confirming says hold_lost and books nothing."""
    set_capacity(db, "10:00", 1)
    late = hold(db, ANI)
    taken = make_booking(db, BUDI, nik=NIK_BUDI, now=NOW + dt.timedelta(minutes=11))

    assert refusal(confirm, db, ANI, late.code, now=NOW + dt.timedelta(minutes=12)).reason == "hold_lost"
    assert booking(db, late.code).status in ("held", "expired")
    assert booking(db, taken.code).status == "confirmed"
    assert available(db, now=NOW + dt.timedelta(minutes=12)) == 0


def test_a_hold_cannot_be_confirmed_by_another_phone(db: Database) -> None:
    """Only the conversation that holds a place can confirm it."""
    held = hold(db, ANI)
    assert refusal(confirm, db, BUDI, held.code).reason == "hold_lost"
    assert booking(db, held.code).status == "held"


# --- one booking per NIK --------------------------------------------------------------------


def test_a_nik_has_one_active_booking_per_office(db: Database) -> None:
    """A second booking for the NIK, from any phone, is refused with the existing code."""
    first = make_booking(db, ANI, nik=NIK_ANI)

    refused = refusal(hold, db, BUDI, nik=NIK_ANI, day=THURSDAY, start="13:00")

    assert (refused.reason, refused.code) == ("nik_taken", first.code)
    assert refusal(hold, db, ANI, nik=NIK_ANI, day=THURSDAY).reason == "nik_taken"


def test_a_held_nik_cannot_be_held_again_elsewhere(db: Database) -> None:
    """A live hold already reserves the NIK: another phone is told the NIK is taken."""
    first = hold(db, ANI, nik=NIK_ANI)
    refused = refusal(hold, db, BUDI, nik=NIK_ANI, day=THURSDAY)
    assert (refused.reason, refused.code) == ("nik_taken", first.code)


def test_a_cancelled_booking_frees_the_nik(db: Database) -> None:
    """After cancelling, the same NIK can book again."""
    first = make_booking(db, ANI, nik=NIK_ANI)
    cancel(db, ANI, first.code)
    again = make_booking(db, BUDI, nik=NIK_ANI, day=THURSDAY)
    assert again.status == "booked" and again.code != first.code


def test_a_lapsed_hold_does_not_block_the_nik(db: Database) -> None:
    """A hold left unconfirmed past its ten minutes no longer reserves the NIK."""
    hold(db, ANI, nik=NIK_ANI)
    later = make_booking(db, BUDI, nik=NIK_ANI, now=NOW + dt.timedelta(minutes=10))
    assert later.status == "confirmed"  # Wednesday's, booked after Tuesday 09:00


def test_a_past_booking_does_not_block_the_nik(db: Database) -> None:
    """A booking whose day has gone by no longer counts as the NIK's active booking."""
    make_booking(db, ANI, nik=NIK_ANI, day=WEDNESDAY)
    friday_morning = dt.datetime(2026, 12, 4, 7, 0, tzinfo=NOW.tzinfo)
    later = make_booking(db, BUDI, nik=NIK_ANI, day=dt.date(2026, 12, 7), now=friday_morning)
    assert later.status == "booked"


def test_the_same_nik_can_book_at_another_office(db: Database) -> None:
    """The NIK rule is per office: Palembang's booking does not block Jakarta."""
    with db.transaction() as session:
        load_offices(
            session,
            parse_offices(
                {
                    "office": [
                        {
                            "code": "JKT",
                            "name": "Kantor Imigrasi Jakarta Selatan",
                            "hotline": "+62217996016",
                            "sessions": [{"start": "10:00", "end": "12:00", "capacity": 10}],
                        }
                    ]
                }
            ),
        )
    make_booking(db, ANI, nik=NIK_ANI)
    elsewhere = make_booking(db, ANI, nik=NIK_ANI, office_code="JKT")
    assert elsewhere.status == "booked" and elsewhere.code.startswith("JKT-")


# --- per-phone limit ------------------------------------------------------------------------


def test_a_phone_has_at_most_max_per_phone_bookings(db: Database) -> None:
    """Past the limit a phone is refused; cancelling one makes room again."""
    first = make_booking(db, ANI, nik="1671010000000001", max_per_phone=2)
    make_booking(db, ANI, nik="1671010000000002", max_per_phone=2)

    assert refusal(hold, db, ANI, nik="1671010000000003", max_per_phone=2).reason == "phone_limit"
    assert make_booking(db, BUDI, nik="1671010000000003", max_per_phone=2).status == "booked"

    cancel(db, ANI, first.code)
    assert make_booking(db, ANI, nik="1671010000000004", max_per_phone=2).status == "booked"


# --- cancelling -----------------------------------------------------------------------------


def test_cancel_frees_the_place(db: Database) -> None:
    """The phone's own booking is cancelled and its place offered again."""
    made = make_booking(db, ANI)
    assert available(db) == 49

    cancelled = cancel(db, ANI, made.code, now=NOW + dt.timedelta(hours=1))

    assert cancelled.status == "cancelled"
    assert booking(db, made.code).cancelled_at == NOW + dt.timedelta(hours=1)
    assert available(db) == 50


def test_cancel_only_the_phones_own_active_booking(db: Database) -> None:
    """Another phone, an unknown code, or a booking already cancelled: unknown_booking."""
    made = make_booking(db, ANI)

    refused = refusal(cancel, db, BUDI, made.code)
    assert (refused.reason, refused.code) == ("unknown_booking", made.code)
    assert booking(db, made.code).status == "booked"
    assert refusal(cancel, db, ANI, "PLG-ZZZZZZ").reason == "unknown_booking"

    cancel(db, ANI, made.code)
    assert refusal(cancel, db, ANI, made.code).reason == "unknown_booking"


def test_a_hold_cannot_be_cancelled_as_a_booking(db: Database) -> None:
    """A place only held is not a booking to cancel."""
    held = hold(db, ANI)
    assert refusal(cancel, db, ANI, held.code).reason == "unknown_booking"


# --- moving ---------------------------------------------------------------------------------


def test_moving_keeps_the_code_and_frees_the_old_place(db: Database) -> None:
    """Hold with moving=code then confirm: same code, new day and session, old place free."""
    made = make_booking(db, ANI, day=WEDNESDAY, start="10:00")

    move = hold(db, ANI, nik=None, moving=made.code, day=THURSDAY, start="13:00")
    assert available(db, THURSDAY, "13:00") == 49  # the move's hold takes its place
    assert available(db, WEDNESDAY, "10:00") == 49  # and the booking keeps its own until confirmed
    moved = confirm(db, ANI, move.code)

    assert (moved.code, moved.status) == (made.code, "booked")
    stored = booking(db, made.code)
    with db.transaction() as session:
        assert (stored.date, stored.session_id) == (THURSDAY, session_id(session, "13:00"))
        assert stored.nik == NIK_ANI
        assert session.scalar(select(func.count()).select_from(Booking)) == 1  # no hold left over
    assert available(db, WEDNESDAY, "10:00") == 50
    assert available(db, THURSDAY, "13:00") == 49


def test_moving_does_not_count_against_the_nik_or_phone_limit(db: Database) -> None:
    """A phone at its limit can still move a booking."""
    made = make_booking(db, ANI, max_per_phone=1)
    move = hold(db, ANI, nik=None, moving=made.code, day=THURSDAY, max_per_phone=1)
    assert confirm(db, ANI, move.code).date == THURSDAY


def test_moving_to_a_full_session_keeps_the_booking(db: Database) -> None:
    """When the new session is full the move is refused and the booking stays where it was."""
    made = make_booking(db, ANI, day=WEDNESDAY)
    set_capacity(db, "13:00", 0)
    assert refusal(hold, db, ANI, nik=None, moving=made.code, day=THURSDAY, start="13:00").reason == "full"
    assert (booking(db, made.code).date, booking(db, made.code).status) == (WEDNESDAY, "booked")


def test_moving_someone_elses_booking_is_refused(db: Database) -> None:
    """Another phone cannot move a booking by knowing its code."""
    made = make_booking(db, ANI)
    refused = refusal(hold, db, BUDI, nik=None, moving=made.code, day=THURSDAY)
    assert (refused.reason, refused.code) == ("unknown_booking", made.code)
    assert booking(db, made.code).date == WEDNESDAY


def test_moving_a_cancelled_booking_is_refused_at_confirmation(db: Database) -> None:
    """If the booking is cancelled while its move is held, confirming the move fails."""
    made = make_booking(db, ANI)
    move = hold(db, ANI, nik=None, moving=made.code, day=THURSDAY)
    cancel(db, ANI, made.code)
    assert refusal(confirm, db, ANI, move.code).reason == "unknown_booking"
    assert booking(db, made.code).status == "cancelled"


# --- closed days and started sessions -------------------------------------------------------


@pytest.mark.parametrize(
    "day, why",
    [
        (dt.date(2026, 12, 25), "national holiday: Christmas"),
        (dt.date(2026, 12, 24), "cuti bersama before Christmas"),
        (dt.date(2026, 12, 5), "Saturday"),
        (dt.date(2026, 12, 6), "Sunday"),
        (dt.date(2026, 12, 10), "the office's own closed date"),
        (dt.date(2026, 11, 30), "yesterday"),
        (dt.date(2027, 1, 1), "beyond the 30 days ahead (and New Year)"),
        (dt.date(2027, 1, 4), "beyond the 30 days ahead"),
    ],
)
def test_a_closed_day_is_refused(db: Database, day: dt.date, why: str) -> None:
    """Holidays, cuti bersama, weekends, office closures and days outside the window: closed."""
    with db.transaction() as session:
        session.add(ClosedDate(office_id=office(session).id, date=dt.date(2026, 12, 10), reason="Rapat kerja"))
    assert refusal(hold, db, ANI, day=day).reason == "closed", why
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == 0


def test_the_last_day_of_the_window_is_bookable(db: Database) -> None:
    """Thirty days ahead of Tuesday 1 December is Thursday 31 December: still open."""
    assert hold(db, ANI, day=dt.date(2026, 12, 31)).status == "held"


def test_a_session_that_has_started_today_is_not_bookable(db: Database) -> None:
    """At 09:00 the 08:00 session is over for booking; the 10:00 one is still open."""
    assert refusal(hold, db, ANI, day=START.date(), start="08:00").reason == "full"
    assert available(db, START.date(), "08:00") == 0
    assert hold(db, ANI, day=START.date(), start="10:00").status == "held"


def test_a_session_starts_at_its_start_time_in_the_office_time_zone(db: Database) -> None:
    """At 10:00 WIB (03:00 UTC) the 10:00 session has started; a minute earlier it had not."""
    utc = dt.UTC
    just_before = dt.datetime(2026, 12, 1, 2, 59, tzinfo=utc)
    assert hold(db, ANI, day=START.date(), start="10:00", now=just_before).status == "held"
    at_ten = dt.datetime(2026, 12, 1, 3, 0, tzinfo=utc)
    assert refusal(hold, db, BUDI, nik=NIK_BUDI, day=START.date(), start="10:00", now=at_ten).reason == "full"


def test_a_lapsed_hold_on_a_session_that_has_since_started_is_lost(db: Database) -> None:
    """Confirming a lapsed hold after its session began cannot book it."""
    held = hold(db, ANI, day=START.date(), start="10:00", now=dt.datetime(2026, 12, 1, 9, 55, tzinfo=NOW.tzinfo))
    assert (
        refusal(confirm, db, ANI, held.code, now=dt.datetime(2026, 12, 1, 10, 6, tzinfo=NOW.tzinfo)).reason
        == "hold_lost"
    )


def test_an_inactive_session_is_not_bookable(db: Database) -> None:
    """A session dropped from the office file takes no bookings."""
    with db.transaction() as session:
        session.execute(update(OfficeSession).where(OfficeSession.start == "13:00").values(active=False))
    assert refusal(hold, db, ANI, start="13:00").reason == "full"


def test_a_lapsed_hold_whose_nik_was_held_by_another_phone_is_not_booked(db: Database) -> None:
    """Confirming a lapsed hold after another phone took its NIK is refused, and books nothing."""
    late = hold(db, ANI, nik=NIK_ANI)
    other = hold(db, BUDI, nik=NIK_ANI, day=THURSDAY, now=NOW + dt.timedelta(minutes=11))

    refused = refusal(confirm, db, ANI, late.code, now=NOW + dt.timedelta(minutes=12))

    assert (refused.reason, refused.code) == ("nik_taken", other.code)
    assert booking(db, late.code).status != "booked"
    assert booking(db, other.code).status == "held"
