"""The day's bookings at the office desk: the sheet, check-in, no-shows, and changes made for a citizen.

Every function takes the officer who acts and the office they act for, refuses with
DeskError (a short `reason` the page translates, and `details`) and never commits. What
changes something writes an audit event (storage.audit.record) and, when the citizen must
know, queues them a message in the same transaction (storage.outbox.enqueue).

Locks are taken in the order a citizen's message takes them (conversation, then booking,
then session-day), so an officer's change and a citizen's message never wait on each other
in a circle.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, contains_eager, selectinload

from conversations.dates import format_date
from conversations.nik import mask_nik
from conversations.vocabulary import ACTIVE, CHECKABLE, HOLDS, TAKEN, BookingStatus
from conversations.words import booking_code
from storage import audit
from storage.audit import mask_phone
from storage.bookings import Refused, locked_capacity, places_taken
from storage.calendar import (
    capacity_overrides,
    closed_on,
    office_sessions,
    office_time,
    office_today,
    runs_on,
)
from storage.conversations import lock_conversation
from storage.models import Booking, Conversation, Office, Officer, OfficeSession
from storage.officers import office_ids as served_office_ids
from storage.outbox import enqueue
from storage.phones import to_e164
from storage.reminders import confirmed_on_booking

MAX_SEARCH_RESULTS = 50
MAX_REASON = 200
# Characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
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
)


class DeskError(Exception):
    """An officer's action the rules refuse: `reason` is a short code the page translates.

    `details` carries what a page needs to explain it (a date, how many are booked...);
    str(error) is an English sentence for logs and the CLI. Reasons: not_found,
    unknown_session, not_allowed, not_active, already_checked_in, not_today, future, past,
    too_far, closed, started, full, unchanged; and in storage.quota: bad_capacity, bad_range,
    bad_times, no_open_dates, below_booked, already_closed, not_closed, closed_by_file,
    holiday, overlap.
    """

    def __init__(self, reason: str, message: str | None = None, **details: Any) -> None:
        super().__init__(message or reason)
        self.reason = reason
        self.details = details


# --- what officers see --------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskBooking:
    """One booking as the desk shows it: NIK and phone masked."""

    id: int
    code: str
    office_id: int
    date: dt.date
    session_id: int
    start: str
    end: str
    name: str
    nik: str  # masked: ************0001
    service: str  # new, renewal, lost, damaged
    passport_type: str  # ordinary, electronic
    status: str  # booked, confirmed, checked_in, no_show, cancelled, released
    phone: str  # masked: +62812****7890
    channel: str  # whatsapp or sms
    checked_in_at: dt.datetime | None
    conversation_id: int | None  # the citizen's conversation in the inbox, if they ever wrote


@dataclass(frozen=True)
class SheetSession:
    """One session of the day with its counts and its bookings."""

    session_id: int
    number: int | None  # as citizens choose it that day; None if it no longer runs but has bookings
    start: str
    end: str
    extra: bool  # an extra session of this date only
    capacity: int  # the date's override, else the session's usual capacity
    booked: int  # places taken: booked, confirmed, checked in and no-show
    held: int  # live holds: citizens at the summary right now
    free: int  # capacity - booked - held, never below 0; 0 on a closed day or a session not running
    checked_in: int
    no_show: int
    bookings: tuple[DeskBooking, ...]  # by name; holds are not listed


@dataclass(frozen=True)
class DaySheet:
    date: dt.date
    closed: str | None  # None when open; else "holiday", "office" or "weekday"
    closed_name: str | None  # the holiday's name, or the reason given when the office closed it
    sessions: tuple[SheetSession, ...]  # by start time


def _desk_booking(booking: Booking) -> DeskBooking:
    return DeskBooking(
        id=booking.id,
        code=booking.code,
        office_id=booking.office_id,
        date=booking.date,
        session_id=booking.session_id,
        start=booking.session.start,
        end=booking.session.end,
        name=booking.name,
        nik=mask_nik(booking.nik or ""),
        service=booking.service,
        passport_type=booking.passport_type,
        status=booking.status,
        phone=mask_phone(booking.phone),
        channel=booking.channel,
        checked_in_at=booking.checked_in_at,
        conversation_id=booking.conversation_id,
    )


def _day_bookings(session: Session, office: Office, day: dt.date) -> list[Booking]:
    """Return the office's bookings of the day (holds aside), by session start and name."""
    return list(
        session.scalars(
            select(Booking)
            .join(OfficeSession, Booking.session_id == OfficeSession.id)
            .where(Booking.office_id == office.id, Booking.date == day, Booking.status.not_in(HOLDS))
            .options(contains_eager(Booking.session))
            .order_by(OfficeSession.start, func.lower(Booking.name), Booking.id)
        )
    )


def day_sheet(session: Session, office: Office, day: dt.date, now: dt.datetime) -> DaySheet:
    """Return the day at the office: each session's capacity, counts and bookings.

    The sessions are those that run that day (numbered as citizens see them), and any other
    session that still has bookings on it (a closed day's, or one dropped from the office file).
    """
    closed, name = closed_on(session, office, day)
    running = [s for s in office_sessions(session, office, day, day) if runs_on(office, s, day)]
    bookings = _day_bookings(session, office, day)
    others = {b.session_id: b.session for b in bookings if b.session_id not in {s.id for s in running}}
    sessions = sorted([*running, *others.values()], key=lambda s: (s.start, s.id))
    overrides = capacity_overrides(session, [s.id for s in sessions], day, day)
    held = dict(
        session.execute(
            select(Booking.session_id, func.count())
            .where(
                Booking.office_id == office.id,
                Booking.date == day,
                Booking.status == BookingStatus.HELD,
                Booking.hold_expires_at > now,
            )
            .group_by(Booking.session_id)
        ).all()
    )
    numbers = {s.id: i for i, s in enumerate(running, start=1)} if closed is None else {}
    rows = []
    for s in sessions:
        mine = tuple(_desk_booking(b) for b in bookings if b.session_id == s.id)
        capacity = overrides.get((s.id, day), s.capacity)
        taken = sum(b.status in TAKEN for b in mine)
        live = int(held.get(s.id, 0))
        rows.append(
            SheetSession(
                session_id=s.id,
                number=numbers.get(s.id),
                start=s.start,
                end=s.end,
                extra=s.only_on is not None,
                capacity=capacity,
                booked=taken,
                held=live,
                free=max(0, capacity - taken - live) if s.id in numbers else 0,
                checked_in=sum(b.status == BookingStatus.CHECKED_IN for b in mine),
                no_show=sum(b.status == BookingStatus.NO_SHOW for b in mine),
                bookings=mine,
            )
        )
    return DaySheet(date=day, closed=closed, closed_name=name, sessions=tuple(rows))


def search(session: Session, office_ids: Collection[int] | None, text: str) -> list[DeskBooking]:
    """Return the bookings (holds aside) with this code or phone number, newest date first.

    A code may be written with or without its dash, in any case ("plg7k3qxm"); a phone in
    any Indonesian way ("0812-3456-7890", "+62 812 3456 7890"). office_ids None means every
    office (an admin); an empty text, or one that is neither, finds nothing.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 64:
        return []
    code, phone = booking_code(text), to_e164(text)
    wanted = [
        condition
        for condition in (
            Booking.code == code if code else None,
            Booking.phone == phone if phone else None,
        )
        if condition is not None
    ]
    if not wanted or (office_ids is not None and not office_ids):
        return []
    query = select(Booking).where(or_(*wanted), Booking.status.not_in(HOLDS)).options(selectinload(Booking.session))
    if office_ids is not None:
        query = query.where(Booking.office_id.in_(sorted(office_ids)))
    found = session.scalars(query.order_by(Booking.date.desc(), Booking.id.desc()).limit(MAX_SEARCH_RESULTS))
    return [_desk_booking(b) for b in found]


def _csv_cell(value: object) -> str:
    """Return the value as CSV text that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def day_csv(session: Session, office: Office, day: dt.date) -> str:
    """Return the day's bookings as CSV (a header, then one row each), NIK and phone masked.

    Columns: code, session ("08:00-10:00"), name, nik, service, passport_type, status, phone,
    channel, checked_in_at (office time, ISO 8601). A cell that starts like a formula
    (= + - @) is prefixed with ' so that a spreadsheet shows it as text.
    """
    zone = ZoneInfo(office.timezone)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for b in map(_desk_booking, _day_bookings(session, office, day)):
        arrived = b.checked_in_at.astimezone(zone).isoformat(timespec="minutes") if b.checked_in_at else ""
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    b.code,
                    f"{b.start}-{b.end}",
                    b.name,
                    b.nik,
                    b.service,
                    b.passport_type,
                    b.status,
                    b.phone,
                    b.channel,
                    arrived,
                )
            ]
        )
    return out.getvalue()


# --- checks shared with storage.quota -------------------------------------------------------


def check_serves(session: Session, officer: Officer, office: Office) -> None:
    """Refuse (not_found) an officer acting for an office they do not serve."""
    served = served_office_ids(session, officer)
    if not officer.active or (served is not None and office.id not in served):
        raise DeskError("not_found", f"office {office.code} is not one of the officer's offices")


def clean_reason(reason: str | None) -> str | None:
    """Return an officer's reason trimmed to one stored line, or None if empty."""
    text = " ".join((reason or "").split())[:MAX_REASON]
    return text or None


def _code(text: str) -> str:
    """Return the booking code written in text, any case, with or without its dash; else refuse."""
    code = booking_code(text) if isinstance(text, str) else None
    if code is None:
        raise DeskError("not_found", f"{text!r} is not a booking code")
    return code


def _find(session: Session, office: Office, code: str) -> Booking:
    booking = session.scalar(
        select(Booking).where(Booking.code == _code(code), Booking.office_id == office.id, Booking.status.not_in(HOLDS))
    )
    if booking is None:
        raise DeskError("not_found", f"no booking {code} at office {office.code}")
    return booking


def _lock(session: Session, booking_id: int) -> Booking:
    """Lock the booking and read it afresh (a citizen may have changed it meanwhile)."""
    booking = session.scalar(
        select(Booking).where(Booking.id == booking_id).with_for_update().execution_options(populate_existing=True)
    )
    assert booking is not None  # bookings are never deleted, holds aside
    return booking


def _lock_for_citizen(session: Session, office: Office, code: str, now: dt.datetime) -> tuple[Booking, Conversation]:
    """Lock the citizen's conversation, then their active booking; refuse if it is not active or past."""
    found = _find(session, office, code)
    conversation = lock_conversation(session, office, found.phone, found.channel, now)
    booking = _lock(session, found.id)
    if booking.status not in ACTIVE:
        raise DeskError("not_active", f"booking {booking.code} is {booking.status}", status=booking.status)
    if booking.date < office_today(office, now):
        raise DeskError("past", f"booking {booking.code} was for {booking.date}, which has passed", date=booking.date)
    return booking, conversation


def _session_label(office_session: OfficeSession) -> str:
    return f"{office_session.start}-{office_session.end}"


# --- the desk's actions -------------------------------------------------------------------------


def check_in(session: Session, officer: Officer, office: Office, code: str, now: dt.datetime) -> Booking:
    """Record that the citizen of a booking for today has arrived; return the booking.

    Only a booked or confirmed booking of this office for today (office time) is checked in;
    so is one marked no-show today, when its citizen turns up late after all. Refuse with
    not_found, already_checked_in, not_active (cancelled, released) or not_today.
    """
    check_serves(session, officer, office)
    booking = _lock(session, _find(session, office, code).id)
    today = office_today(office, now)
    if booking.status == BookingStatus.CHECKED_IN:
        raise DeskError(
            "already_checked_in", f"booking {booking.code} was checked in already", checked_in_at=booking.checked_in_at
        )
    if booking.status not in CHECKABLE:
        raise DeskError("not_active", f"booking {booking.code} is {booking.status}", status=booking.status)
    if booking.date != today:
        raise DeskError("not_today", f"booking {booking.code} is for {booking.date}, not today", date=booking.date)
    previous = booking.status
    booking.status, booking.checked_in_at = BookingStatus.CHECKED_IN, now
    session.flush()
    audit.record(
        session,
        officer,
        office.id,
        "check_in",
        f"booking:{booking.code}",
        {"date": booking.date.isoformat(), "previous_status": previous},
        now=now,
    )
    return booking


def mark_no_shows(session: Session, officer: Officer, office: Office, day: dt.date, now: dt.datetime) -> int:
    """Mark no-show every booking of the day still booked or confirmed after its session ended; return how many.

    The day must be today or past (refuse: future). Today, only sessions whose end time has
    passed count. A closed day marks nobody: its citizens were told not to come.
    """
    check_serves(session, officer, office)
    today = office_today(office, now)
    if day > today:
        raise DeskError("future", f"{day} has not come yet", date=day)
    if closed_on(session, office, day)[0]:
        return 0
    ended = select(OfficeSession.id).where(OfficeSession.office_id == office.id)
    if day == today:
        ended = ended.where(OfficeSession.end <= office_time(office, now))
    codes = list(
        session.scalars(
            update(Booking)
            .where(
                Booking.office_id == office.id,
                Booking.date == day,
                Booking.status.in_(ACTIVE),
                Booking.session_id.in_(ended),
            )
            .values(status=BookingStatus.NO_SHOW)
            .returning(Booking.code)
            .execution_options(synchronize_session="fetch")
        )
    )
    if codes:
        audit.record(
            session,
            officer,
            office.id,
            "no_show",
            f"date:{day.isoformat()}",
            {"count": len(codes), "codes": sorted(codes)},
            now=now,
        )
    return len(codes)


def cancel_for_citizen(
    session: Session,
    officer: Officer,
    office: Office,
    code: str,
    now: dt.datetime,
    reason: str | None = None,
) -> Booking:
    """Cancel a citizen's active booking for them and tell them by message; return the booking.

    The place goes back to the calendar (and to the day's waiting list, at the scheduler's
    next run); a move the citizen had half-made is dropped. The reason is kept in the audit
    log, not sent. Refuse with not_found, not_active or past.
    """
    check_serves(session, officer, office)
    booking, conversation = _lock_for_citizen(session, office, code, now)
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
    # A place the citizen holds to move this booking can no longer move anything.
    session.execute(
        update(Booking)
        .where(Booking.moves_booking_id == booking.id, Booking.status == BookingStatus.HELD)
        .values(status=BookingStatus.EXPIRED, hold_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    lang = conversation.language
    audit.record(
        session,
        officer,
        office.id,
        "cancel",
        f"booking:{booking.code}",
        {
            "date": booking.date.isoformat(),
            "session": _session_label(booking.session),
            "reason": clean_reason(reason),
        },
        now=now,
    )
    enqueue(
        session,
        conversation,
        kind="office_cancelled",
        message_id="office_cancelled",
        now=now,
        booking=booking,
        dedupe_key=f"office_cancelled:{booking.id}",
        params={
            "code": booking.code,
            "date": format_date(booking.date, lang),
            "start": booking.session.start,
            "end": booking.session.end,
        },
    )
    return booking


def move_for_citizen(
    session: Session,
    officer: Officer,
    office: Office,
    code: str,
    new_date: dt.date,
    new_session_id: int,
    now: dt.datetime,
) -> Booking:
    """Move a citizen's active booking to another session and tell them by message; return it.

    The same rules as a citizen's own move, under the same capacity lock: the new session must
    run that day, the day be open, not past and within the office's booking horizon, the
    session not started, and a place free (the date's capacity override counts). A new date
    is reminded (and confirmed) afresh. Refuse with not_found, not_active, past,
    unknown_session, unchanged, too_far, closed, started or full.
    """
    check_serves(session, officer, office)
    booking, conversation = _lock_for_citizen(session, office, code, now)
    target = session.get(OfficeSession, new_session_id)
    if target is None or target.office_id != office.id or not target.active:
        raise DeskError("unknown_session", f"office {office.code} has no session {new_session_id}")
    if (booking.date, booking.session_id) == (new_date, target.id):
        raise DeskError("unchanged", f"booking {booking.code} is on {new_date} {_session_label(target)} already")
    today = office_today(office, now)
    if new_date < today:
        raise DeskError("past", f"{new_date} has passed", date=new_date)
    if new_date > today + dt.timedelta(days=office.book_ahead_days):
        raise DeskError(
            "too_far",
            f"{new_date} is beyond the {office.book_ahead_days} days bookable ahead",
            date=new_date,
            book_ahead_days=office.book_ahead_days,
        )
    closed, name = closed_on(session, office, new_date)
    if closed or not runs_on(office, target, new_date):
        raise DeskError(
            "closed",
            f"session {_session_label(target)} does not run on {new_date}",
            date=new_date,
            closed=closed or "weekday",
            name=name,
        )
    if new_date == today and target.start <= office_time(office, now):
        raise DeskError("started", f"session {_session_label(target)} has started", date=new_date)
    try:
        capacity = locked_capacity(session, office, target, new_date)
    except Refused:
        raise DeskError("closed", f"{new_date} closed a moment ago", date=new_date, closed="office") from None
    taken = places_taken(session, target.id, new_date, now, excluding=booking.id)
    if taken >= capacity:
        raise DeskError(
            "full",
            f"{new_date} {_session_label(target)} is full ({taken} of {capacity})",
            date=new_date,
            booked=taken,
            capacity=capacity,
        )
    before = {"date": booking.date.isoformat(), "session": _session_label(booking.session)}
    if booking.date != new_date:
        booking.reminded_at = None
        if confirmed_on_booking(office, new_date, now):
            booking.status, booking.confirmed_at = BookingStatus.CONFIRMED, now
        else:
            booking.status, booking.confirmed_at = BookingStatus.BOOKED, None
    booking.date, booking.session = new_date, target
    session.flush()
    event = audit.record(
        session,
        officer,
        office.id,
        "move",
        f"booking:{booking.code}",
        {
            "from": before,
            "to": {"date": new_date.isoformat(), "session": _session_label(target)},
        },
        now=now,
    )
    lang = conversation.language
    # A booking may be moved more than once: one message per move (the event's id), never two.
    enqueue(
        session,
        conversation,
        kind="office_moved",
        message_id="office_moved",
        now=now,
        booking=booking,
        dedupe_key=f"office_moved:{booking.id}:{event.id}",
        params={"code": booking.code, "date": format_date(new_date, lang), "start": target.start, "end": target.end},
    )
    return booking


__all__ = [
    "DaySheet",
    "DeskBooking",
    "DeskError",
    "SheetSession",
    "cancel_for_citizen",
    "check_in",
    "day_csv",
    "day_sheet",
    "mark_no_shows",
    "move_for_citizen",
    "search",
]
