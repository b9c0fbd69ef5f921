"""Gather what the conversation machine must know to answer one citizen's message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from conversations.facts import BookingInfo, DayInfo, Facts, HoldInfo, Refusal, SessionInfo
from conversations.hours import OfficeHours, next_opening
from conversations.nik import niks_in
from conversations.vocabulary import ACTIVE, BookingStatus
from storage.bookings import active_codes_for_niks
from storage.calendar import closed_reason, national_holidays, office_time, office_today, runs_on, taken_counts
from storage.conversations import load_state
from storage.models import Booking, Conversation, Office, OfficeSession
from storage.office_setup import OfficeSetup, office_setup
from storage.reminders import confirmed_through
from storage.waitlist import OFFER_MINUTES


def load_facts(
    session: Session,
    office: Office,
    conversation: Conversation,
    now: dt.datetime,
    *,
    max_bookings: int,
    hold_minutes: int,
    refusal: Refusal | None = None,
    text: str = "",
    counted: frozenset[dt.date] | None = None,
) -> Facts:
    """Return the facts for one message of the conversation (its text), as of now.

    Plain data, loaded before the machine runs, in few statements: the office's setup comes
    from this process's cache (storage/office_setup.py); the citizen's bookings and hold are
    one query, and the bookings of the NIKs the machine may read in the text or hold in its
    draft another (when there are any). The places left are counted only on the `counted`
    days (None: the whole booking window), in one query more: on the other days reading
    them raises PlacesNotCounted, and `count_places` then counts them (see hotline/dialogue.py).
    """
    today = office_today(office, now)
    last = today + dt.timedelta(days=office.book_ahead_days)
    setup = office_setup(session, office)
    days = _days(office, setup, _taken(session, office, today, last, now, counted), today, last, now, counted)
    active, hold = _bookings(session, office, conversation, today)
    # Reminded and not yet confirmed: what a bare YA or BATAL answers.
    awaiting = tuple(b for b in active if b.reminded)
    niks = set(niks_in(text))
    if (drafted := load_state(conversation).draft.nik) is not None:
        niks.add(drafted)
    return Facts(
        office_name=office.name,
        office_address=office.address,
        today=today,
        book_ahead_days=office.book_ahead_days,
        days=days,
        bookings=tuple(b.info for b in active),
        hold=hold,
        nik_bookings=active_codes_for_niks(session, office, niks, today) if niks else {},
        max_bookings=max_bookings,
        hold_minutes=hold_minutes,
        channel=conversation.channel,
        refusal=refusal,
        awaiting_confirmation=tuple(b.info for b in awaiting),
        reminder_at=office.reminder_at,
        confirm_by=office.confirm_by,
        confirmed_through=confirmed_through(office, now),
        offer_minutes=OFFER_MINUTES,
        officer_assigned=conversation.assigned_officer_id is not None,
        questions=setup.questions,
        fees=setup.fees,
        hours=setup.hours,
        map_url=office.map_url,
        officers_back_at=_officers_back_at(office, setup.hours, days, now),
    )


def count_places(
    session: Session, office: Office, facts: Facts, now: dt.datetime, counted: frozenset[dt.date] | None
) -> Facts:
    """Return the facts with the places left counted on the `counted` days (None: the whole window)."""
    first, last = facts.today, facts.last_day
    taken = _taken(session, office, first, last, now, counted)
    return replace(facts, days=_days(office, office_setup(session, office), taken, first, last, now, counted))


def _taken(
    session: Session,
    office: Office,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    counted: frozenset[dt.date] | None,
) -> Mapping[tuple[dt.date, int], tuple[int, int]]:
    """Count the places taken on the counted days of the window, in one query (none when no day is)."""
    if counted is not None:
        wanted = [day for day in counted if first <= day <= last]
        if not wanted:
            return {}
        first, last = min(wanted), max(wanted)
    return taken_counts(session, office, first, last, now)


def _days(
    office: Office,
    setup: OfficeSetup,
    taken: Mapping[tuple[dt.date, int], tuple[int, int]],
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    counted: frozenset[dt.date] | None,
) -> dict[dt.date, DayInfo]:
    """Return each day of the window with its sessions, and the places left on the counted
    days (None: on every day; storage.calendar.places counts them the same way)."""
    today, clock = office_today(office, now), office_time(office, now)
    extra_days = {s.only_on for s in setup.sessions if s.only_on is not None}
    days = {}
    day = first
    while day <= last:
        closed, name = closed_reason(office, day, setup.closed, extra_days)
        sessions = []
        if not closed:
            running = (s for s in setup.sessions if runs_on(office, s, day))
            for number, s in enumerate(running, start=1):
                capacity = setup.capacities.get((s.id, day), s.capacity)
                booked, held = taken.get((day, s.id), (0, 0))
                started = day < today or (day == today and s.start <= clock)
                left: int | None = 0  # a session that has begun takes nobody more
                if not started:
                    left = max(0, capacity - booked - held) if counted is None or day in counted else None
                sessions.append(SessionInfo(s.id, number, s.start, s.end, capacity, left, day))
        days[day] = DayInfo(date=day, closed=closed, holiday=name, sessions=tuple(sessions))
        day += dt.timedelta(days=1)
    return days


# Built once: it runs for every message (constructing a statement costs about as much as running it).
_BOOKINGS = (
    select(
        Booking.id,
        Booking.code,
        Booking.date,
        Booking.status,
        Booking.service,
        Booking.passport_type,
        Booking.name,
        Booking.nik,
        Booking.reminded_at,
        Booking.session_id,
        Booking.hold_expires_at,
        Booking.conversation_id,
        OfficeSession.start,
        OfficeSession.end,
    )
    .join(OfficeSession, OfficeSession.id == Booking.session_id)
    .where(
        Booking.office_id == bindparam("office_id"),
        or_(
            and_(Booking.phone == bindparam("phone"), Booking.status.in_(ACTIVE), Booking.date >= bindparam("today")),
            and_(Booking.conversation_id == bindparam("conversation_id"), Booking.status == BookingStatus.HELD),
        ),
    )
    .order_by(Booking.date, Booking.id)
)


@dataclass(frozen=True)
class _Booking:
    info: BookingInfo
    reminded: bool


def _bookings(
    session: Session, office: Office, conversation: Conversation, today: dt.date
) -> tuple[list[_Booking], HoldInfo | None]:
    """Return the phone's active bookings still to come (soonest first) and the conversation's
    hold (live or lapsed but not yet swept), in one query."""
    rows = session.execute(
        _BOOKINGS,
        {"office_id": office.id, "phone": conversation.phone, "today": today, "conversation_id": conversation.id},
    ).all()
    active = [
        _Booking(
            BookingInfo(
                code=r.code,
                date=r.date,
                start=r.start,
                end=r.end,
                status=r.status,
                service=r.service,
                passport_type=r.passport_type,
                name=r.name,
                nik_last4=(r.nik or "")[-4:],
            ),
            reminded=r.status == BookingStatus.BOOKED and r.reminded_at is not None,
        )
        for r in rows
        if r.status in ACTIVE
    ]
    holds = [r for r in rows if r.status == BookingStatus.HELD and r.conversation_id == conversation.id]
    hold = max(holds, key=lambda r: r.id, default=None)  # the latest, as storage.bookings.current_hold
    if hold is None or hold.hold_expires_at is None:
        return active, None
    return active, HoldInfo(hold.code, hold.date, hold.session_id, hold.hold_expires_at)


def _officers_back_at(
    office: Office, hours: OfficeHours, days: Mapping[dt.date, DayInfo], now: dt.datetime
) -> dt.datetime | None:
    """Return when officers are next at the desk if they are not now (None when they are)."""
    local = now.astimezone(ZoneInfo(office.timezone))

    def closed(day: dt.date) -> bool:
        info = days.get(day)
        if info is not None:
            return info.closed in ("holiday", "office")  # desk hours say which weekdays are open
        return day in national_holidays(day.year)

    back = next_opening(hours, local, closed)
    return None if back is None or back <= local else back
