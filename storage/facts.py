"""Gather what the conversation machine must know to answer one citizen's message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from conversations.facts import BookingInfo, DayInfo, Facts, HoldInfo, Refusal, SessionInfo
from conversations.hours import OfficeHours, next_opening
from conversations.nik import niks_in
from conversations.vocabulary import BookingStatus
from storage.bookings import active_bookings, active_codes_for_niks, current_hold
from storage.calendar import national_holidays, office_today, places
from storage.conversations import load_state
from storage.models import Booking, Conversation, Office
from storage.offices import office_fees, office_hours, office_questions
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
) -> Facts:
    """Return the facts for one message of the conversation (its text), as of now.

    Plain data, loaded before the machine runs: the bookings of the NIKs it may read in
    the text or hold in its draft are looked up here, in one query, not while it runs.
    """
    today = office_today(office, now)
    last = today + dt.timedelta(days=office.book_ahead_days)
    days = {
        day.date: DayInfo(
            date=day.date,
            closed=day.closed,
            holiday=day.holiday,
            sessions=tuple(
                SessionInfo(
                    id=s.session.id,
                    number=s.number,
                    start=s.session.start,
                    end=s.session.end,
                    capacity=s.capacity,
                    available=s.available,
                )
                for s in day.sessions
            ),
        )
        for day in places(session, office, today, last, now)
    }
    active = active_bookings(session, office, conversation.phone, today)
    bookings = tuple(_booking_info(b) for b in active)
    # Reminded and not yet confirmed: what a bare YA or BATAL answers.
    awaiting = tuple(_booking_info(b) for b in active if b.status == BookingStatus.BOOKED and b.reminded_at is not None)
    hold = current_hold(session, conversation)
    hours = office_hours(session, office)
    niks = set(niks_in(text))
    if (drafted := load_state(conversation).draft.nik) is not None:
        niks.add(drafted)
    return Facts(
        office_name=office.name,
        office_address=office.address,
        today=today,
        book_ahead_days=office.book_ahead_days,
        days=days,
        bookings=bookings,
        hold=(
            HoldInfo(hold.code, hold.date, hold.session_id, hold.hold_expires_at)
            if hold is not None and hold.hold_expires_at is not None
            else None
        ),
        nik_bookings=active_codes_for_niks(session, office, niks, today),
        max_bookings=max_bookings,
        hold_minutes=hold_minutes,
        channel=conversation.channel,
        refusal=refusal,
        awaiting_confirmation=awaiting,
        reminder_at=office.reminder_at,
        confirm_by=office.confirm_by,
        confirmed_through=confirmed_through(office, now),
        offer_minutes=OFFER_MINUTES,
        officer_assigned=conversation.assigned_officer_id is not None,
        questions=office_questions(session, office),
        fees=office_fees(session, office),
        hours=hours,
        map_url=office.map_url,
        officers_back_at=_officers_back_at(office, hours, days, now),
    )


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


def _booking_info(booking: Booking) -> BookingInfo:
    return BookingInfo(
        code=booking.code,
        date=booking.date,
        start=booking.session.start,
        end=booking.session.end,
        status=booking.status,
        service=booking.service,
        passport_type=booking.passport_type,
        name=booking.name,
        nik_last4=(booking.nik or "")[-4:],
    )
