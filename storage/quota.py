"""The office's calendar as supervisors change it: capacity per date, closed dates, extra sessions.

Only supervisors and admins of the office may (DeskError "not_allowed" otherwise). Every
change writes an audit event; changes that concern booked citizens queue them a message in
the same transaction. Capacity is changed under the session-day locks that holds take
(storage.bookings.lock_session_day), so a capacity and a booking never race past each other.

Closing a date keeps its bookings: each citizen is told the three nearest dates with places
left and to reply UBAH <code> to move (the conversation's usual move), or an officer moves
them (storage.desk.move_for_citizen). Nothing is cancelled for them: a citizen who cannot
come another day decides that, and reopening the date needs no rebooking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conversations.dates import format_date
from conversations.vocabulary import ACTIVE, HOLDING, IN_LINE, BookingStatus, WaitlistStatus
from storage import audit
from storage.bookings import lock_session_day, places_taken
from storage.calendar import (
    closed_dates,
    closed_on,
    closed_reason,
    national_holidays,
    nearest_free_days,
    office_sessions,
    office_time,
    office_today,
    runs_on,
)
from storage.conversations import lock_conversation
from storage.db import rows_changed
from storage.desk import DeskError, check_serves, clean_reason
from storage.models import (
    LEADS,
    Booking,
    ClosedDate,
    Conversation,
    Office,
    Officer,
    OfficeSession,
    SessionDay,
    WaitlistEntry,
)
from storage.offices import TIME_RE
from storage.outbox import enqueue

MAX_CAPACITY = 10_000  # as the office file allows
MAX_DAYS_AHEAD = 366  # how far ahead a supervisor plans


def _check_lead(session: Session, officer: Officer, office: Office) -> None:
    check_serves(session, officer, office)
    if officer.role not in LEADS:
        raise DeskError("not_allowed", "only a supervisor or an admin may change the calendar")


def _check_ahead(office: Office, day: dt.date, now: dt.datetime) -> None:
    today = office_today(office, now)
    if day < today:
        raise DeskError("past", f"{day} has passed", date=day)
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise DeskError("too_far", f"{day} is more than {MAX_DAYS_AHEAD} days ahead", date=day)


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# --- capacity --------------------------------------------------------------------------------


def set_capacity(
    session: Session,
    officer: Officer,
    office: Office,
    session_id: int,
    first: dt.date,
    last: dt.date,
    capacity: int | None,
    now: dt.datetime,
) -> list[dt.date]:
    """Set the session's capacity on every open date from first to last; return those dates.

    capacity None gives the dates back their usual capacity. All or nothing: when any date
    already has more places booked or held than the new capacity, nothing changes and
    DeskError("below_booked") names it (details: date, booked, capacity, and every such
    date in `dates`) — move the surplus first. Dates closed, or where the session does not
    run, are skipped; none left refuses with no_open_dates. Other refusals: not_allowed,
    unknown_session, bad_capacity, bad_range, past, too_far.
    """
    _check_lead(session, officer, office)
    office_session = session.get(OfficeSession, session_id)
    if office_session is None or office_session.office_id != office.id or not office_session.active:
        raise DeskError("unknown_session", f"office {office.code} has no session {session_id}")
    if capacity is not None and (
        isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= MAX_CAPACITY
    ):
        raise DeskError("bad_capacity", f"the capacity must be a whole number from 0 to {MAX_CAPACITY}")
    if first > last:
        raise DeskError("bad_range", f"{first} comes after {last}")
    _check_ahead(office, first, now)
    _check_ahead(office, last, now)
    closed = closed_dates(session, office, first, last)
    extra_days = {s.only_on for s in office_sessions(session, office, first, last) if s.only_on}
    open_days = [
        day
        for day in _days(first, last)
        if runs_on(office, office_session, day) and closed_reason(office, day, closed, extra_days)[0] is None
    ]
    if not open_days:
        raise DeskError("no_open_dates", f"session {office_session.start} is not open from {first} to {last}")
    new = office_session.capacity if capacity is None else capacity
    # In date order, as every other taker of several session-day locks does.
    too_many = []
    for day in open_days:
        lock_session_day(session, office_session.id, day)
        taken = places_taken(session, office_session.id, day, now)
        if taken > new:
            too_many.append({"date": day, "booked": taken})
    if too_many:
        worst = too_many[0]
        more = f" (and {len(too_many) - 1} more dates)" if len(too_many) > 1 else ""
        raise DeskError(
            "below_booked",
            f"{worst['date']:%a %d %b %Y} {office_session.start}: {worst['booked']} places are already "
            f"booked or held, more than {new}{more}. Move the surplus first.",
            date=worst["date"],
            booked=worst["booked"],
            capacity=new,
            dates=too_many,
        )
    session.execute(
        update(SessionDay)
        .where(SessionDay.session_id == office_session.id, SessionDay.date.in_(open_days))
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    office.touch_setup()  # a bulk UPDATE: the cached setups must read the capacities again
    audit.record(
        session,
        officer,
        office.id,
        "capacity",
        f"session:{office_session.id}",
        {
            "session": f"{office_session.start}-{office_session.end}",
            "first": first.isoformat(),
            "last": last.isoformat(),
            "capacity": capacity,
            "dates": [d.isoformat() for d in open_days],
        },
        now=now,
    )
    return open_days


# --- closed dates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Closure:
    """What closing a date did."""

    date: dt.date
    notified: tuple[str, ...]  # the codes of the bookings on it, each told by message
    nearest: tuple[dt.date, ...]  # the free dates they were offered (up to three)
    holds_dropped: int  # places citizens were holding on it at that moment


def _active_on(
    session: Session,
    office: Office,
    day: dt.date,
    statuses: tuple[str, ...] = ACTIVE,
) -> list[Booking]:
    """Return the office's bookings (or holds) on day in these statuses, read afresh."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.office_id == office.id, Booking.date == day, Booking.status.in_(statuses))
            .order_by(Booking.id)
            .execution_options(populate_existing=True)
        )
    )


def _lock_conversations(
    session: Session,
    office: Office,
    bookings: list[Booking],
    now: dt.datetime,
    locked: dict[str, Conversation] | None = None,
) -> dict[str, Conversation]:
    """Lock the conversations of the bookings' phones (by phone, in order); return them by phone.

    A message of one of these citizens may be running: waiting for it here, before the
    session-day locks, keeps to the order messages lock in (conversation first).
    """
    locked = dict(locked or {})
    for booking in sorted(bookings, key=lambda b: b.phone):
        if booking.phone not in locked:
            locked[booking.phone] = lock_conversation(session, office, booking.phone, booking.channel, now)
    return locked


def close_date(
    session: Session,
    officer: Officer,
    office: Office,
    day: dt.date,
    reason: str | None,
    now: dt.datetime,
) -> Closure:
    """Close the office on day (a ClosedDate from "officer") and tell each booking's citizen.

    From then on the day takes no holds or bookings (the places in it are also given back by
    any citizen holding one); each active booking on it stays, and its citizen gets a message
    with the three nearest dates with places left and how to move by reply (UBAH <code>). The
    day's waiting list ends. Refuse with not_allowed, past, too_far, already_closed (a
    holiday, a closed date or a weekday the office is closed; details: closed).
    """
    _check_lead(session, officer, office)
    _check_ahead(office, day, now)
    closed, name = closed_on(session, office, day)
    if closed:
        raise DeskError("already_closed", f"{day} is closed already ({name or closed})", date=day, closed=closed)
    on_the_day = HOLDING
    conversations = _lock_conversations(session, office, _active_on(session, office, day, on_the_day), now)
    row = ClosedDate(office_id=office.id, date=day, reason=clean_reason(reason), source="officer")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise DeskError("already_closed", f"{day} was closed a moment ago", date=day, closed="office") from None
    # Holds wait on these locks, and look again at the day once they have them.
    for office_session in sorted(office_sessions(session, office, day, day), key=lambda s: s.id):
        if runs_on(office, office_session, day):
            lock_session_day(session, office_session.id, day)
    affected = _active_on(session, office, day, on_the_day)
    # Rare: a citizen who booked between our first look and the locks.
    conversations = _lock_conversations(session, office, affected, now, conversations)
    dropped = rows_changed(
        session.execute(
            update(Booking)
            .where(Booking.office_id == office.id, Booking.date == day, Booking.status == BookingStatus.HELD)
            .values(status=BookingStatus.EXPIRED, hold_expires_at=None)
            .execution_options(synchronize_session=False)
        )
    )
    session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.office_id == office.id, WaitlistEntry.date == day, WaitlistEntry.status.in_(IN_LINE))
        .values(status=WaitlistStatus.EXPIRED)
        .execution_options(synchronize_session=False)
    )
    bookings = [b for b in affected if b.status in ACTIVE]
    nearest = nearest_free_days(session, office, day, now)
    event = audit.record(
        session,
        officer,
        office.id,
        "close_date",
        f"date:{day.isoformat()}",
        {
            "reason": row.reason,
            "bookings": [b.code for b in bookings],
            "holds_dropped": dropped,
            "nearest": [d.isoformat() for d in nearest],
        },
        now=now,
    )
    last = office_today(office, now) + dt.timedelta(days=office.book_ahead_days)
    for booking in bookings:
        conversation = conversations[booking.phone]
        lang = conversation.language
        shown = {"code": booking.code, "date": format_date(day, lang)}
        # One notice per booking and closure (closed, reopened and closed again: told again).
        key = f"date_closed:{booking.id}:{event.id}"
        if nearest:
            enqueue(
                session,
                conversation,
                kind="date_closed",
                message_id="date_closed",
                now=now,
                booking=booking,
                dedupe_key=key,
                params={**shown, "dates": "; ".join(format_date(d, lang) for d in nearest)},
            )
        else:
            enqueue(
                session,
                conversation,
                kind="date_closed_none",
                message_id="date_closed_none",
                now=now,
                booking=booking,
                dedupe_key=key,
                params={**shown, "last": format_date(last, lang)},
            )
    return Closure(date=day, notified=tuple(b.code for b in bookings), nearest=tuple(nearest), holds_dropped=dropped)


def reopen_date(session: Session, officer: Officer, office: Office, day: dt.date, now: dt.datetime) -> tuple[str, ...]:
    """Open again a date an officer closed; tell the citizens still booked on it; return their codes.

    Refuse with not_allowed, past, too_far, not_closed, holiday (a national holiday stays
    closed), closed_by_file (the office file closes it: change the file).
    """
    _check_lead(session, officer, office)
    _check_ahead(office, day, now)
    if day in national_holidays(day.year):
        raise DeskError("holiday", f"{day} is a national holiday", date=day, name=national_holidays(day.year)[day])
    row = session.scalar(select(ClosedDate).where(ClosedDate.office_id == office.id, ClosedDate.date == day))
    if row is None:
        raise DeskError("not_closed", f"{day} is not a closed date", date=day)
    if row.source != "officer":
        raise DeskError("closed_by_file", f"{day} is closed by the office file", date=day)
    conversations = _lock_conversations(session, office, _active_on(session, office, day), now)
    session.execute(delete(ClosedDate).where(ClosedDate.id == row.id))
    office.touch_setup()  # a bulk DELETE: the cached setups must read the closed dates again
    bookings = _active_on(session, office, day)
    conversations = _lock_conversations(session, office, bookings, now, conversations)
    still_closed, _ = closed_on(session, office, day)  # a weekday the office is closed anyway
    told = [] if still_closed else bookings
    event = audit.record(
        session,
        officer,
        office.id,
        "reopen_date",
        f"date:{day.isoformat()}",
        {
            "reason_was": row.reason,
            "bookings": [b.code for b in told],
        },
        now=now,
    )
    for booking in told:
        conversation = conversations[booking.phone]
        enqueue(
            session,
            conversation,
            kind="date_reopened",
            message_id="date_reopened",
            now=now,
            booking=booking,
            dedupe_key=f"date_reopened:{booking.id}:{event.id}",
            params={
                "code": booking.code,
                "date": format_date(day, conversation.language),
                "start": booking.session.start,
                "end": booking.session.end,
            },
        )
    return tuple(b.code for b in told)


# --- extra sessions --------------------------------------------------------------------------


def add_extra_session(
    session: Session,
    officer: Officer,
    office: Office,
    day: dt.date,
    start: str,
    end: str,
    capacity: int,
    now: dt.datetime,
) -> OfficeSession:
    """Add a session on one date only (a Saturday clinic, say) and return it; the day opens for it.

    Citizens can book it at once. Refuse with not_allowed, past, too_far, started (today,
    after its start), bad_times (HH:MM, end after start), bad_capacity (1 to 10000),
    holiday, closed (a closed date: reopen it first) or overlap (details: start, end of the
    session it overlaps).
    """
    _check_lead(session, officer, office)
    _check_ahead(office, day, now)
    if not (
        isinstance(start, str)
        and isinstance(end, str)
        and TIME_RE.fullmatch(start)
        and TIME_RE.fullmatch(end)
        and start < end
    ):
        raise DeskError("bad_times", f"a session needs HH:MM times with the end after the start, got {start!r}-{end!r}")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise DeskError("bad_capacity", f"the capacity must be a whole number from 1 to {MAX_CAPACITY}")
    if day == office_today(office, now) and start <= office_time(office, now):
        raise DeskError("started", f"{start} today has passed", date=day)
    # One change of the office's sessions at a time (FOR NO KEY UPDATE: bookings go on).
    session.execute(select(Office.id).where(Office.id == office.id).with_for_update(key_share=True))
    holiday = national_holidays(day.year).get(day)
    if holiday:
        raise DeskError("holiday", f"{day} is a national holiday ({holiday})", date=day, name=holiday)
    if day in closed_dates(session, office, day, day):
        raise DeskError("closed", f"{day} is a closed date: reopen it first", date=day, closed="office")
    for other in office_sessions(session, office, day, day):
        if runs_on(office, other, day) and start < other.end and other.start < end:
            raise DeskError(
                "overlap",
                f"{start}-{end} overlaps the session {other.start}-{other.end}",
                date=day,
                start=other.start,
                end=other.end,
            )
    extra = OfficeSession(office_id=office.id, start=start, end=end, capacity=capacity, active=True, only_on=day)
    try:
        with session.begin_nested():
            session.add(extra)
    except IntegrityError:
        raise DeskError("overlap", f"{day} has a session at {start} already", date=day, start=start) from None
    session.expire(office, ["sessions"])
    audit.record(
        session,
        officer,
        office.id,
        "extra_session",
        f"session:{extra.id}",
        {
            "date": day.isoformat(),
            "session": f"{start}-{end}",
            "capacity": capacity,
        },
        now=now,
    )
    return extra
