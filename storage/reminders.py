"""The day before an appointment: the reminder, the citizen's confirmation, the release.

Times are the office's wall clock on the calendar day before the appointment (Sunday for a
Monday): `office.reminder_at` (09:00) the reminder goes, `office.confirm_by` (20:00) a
booking still unconfirmed goes back to the calendar. The rules, and why:

* A booking made after its reminder time (tomorrow's after 09:00 today, or today's) is
  confirmed as it is made: the citizen has just said they will come.
* A reminder goes once per booking and date (a moved booking is reminded of its new date),
  at or after its time, while the appointment's session has not started: after a stop, the
  reminders that are still useful go out late.
* A booking is released only when its citizen was really asked: a reminder that was queued
  with at least half the office's window (09:00 to 20:00: by 14:30) still to run, and not
  known to be undeliverable (opted out, failed). Otherwise it stays booked: a citizen is
  never released for not answering a question that never reached them.
* Release happens only before the appointment day begins; after a stop, a booking whose
  release was missed stays booked and officers mark it if nobody comes, rather than the
  citizen finding the place given away on their way to the office.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from conversations.catalogue import documents_for, render
from conversations.dates import format_date, format_date_short
from conversations.nik import is_minor
from conversations.vocabulary import BookingStatus
from storage.calendar import closed_on, office_today
from storage.holds import claim_booking_conversation, lock_booking
from storage.models import Booking, DeliveryState, Message, Office, OfficeSession
from storage.outbox import enqueue

UNDELIVERABLE = (DeliveryState.SKIPPED, DeliveryState.FAILED)  # outbox delivery outcomes that never reach the citizen
UNDELIVERED = ("failed", "undelivered")  # Twilio's final statuses for a message that did not arrive


def local_instant(office: Office, day: dt.date, clock: str) -> dt.datetime:
    """Return the instant of the wall-clock time "HH:MM" on day at the office."""
    hour, minute = (int(part) for part in clock.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(office.timezone))


def reminder_instant(office: Office, day: dt.date) -> dt.datetime:
    """Return when the reminder of an appointment on day is due."""
    return local_instant(office, day - dt.timedelta(days=1), office.reminder_at)


def release_instant(office: Office, day: dt.date) -> dt.datetime:
    """Return when an unconfirmed booking on day goes back to the calendar."""
    return local_instant(office, day - dt.timedelta(days=1), office.confirm_by)


def release_cutoff(office: Office, day: dt.date) -> dt.datetime | None:
    """Return the latest reminder that still lets a booking on day be released, or None if none."""
    window = release_instant(office, day) - reminder_instant(office, day)
    if window <= dt.timedelta(0):
        return None  # an office whose deadline is before its reminder releases nothing
    return release_instant(office, day) - window / 2


def confirmed_on_booking(office: Office, day: dt.date, now: dt.datetime) -> bool:
    """Tell whether a booking made now for day needs no reminder: its reminder time is past."""
    return now > reminder_instant(office, day)


def confirmed_through(office: Office, now: dt.datetime) -> dt.date:
    """Return the last appointment date that a booking made now is confirmed for at once."""
    tomorrow = office_today(office, now) + dt.timedelta(days=1)
    return tomorrow if confirmed_on_booking(office, tomorrow, now) else tomorrow - dt.timedelta(days=1)


def appointment_start(office: Office, booking: Booking) -> dt.datetime:
    """Return when the booking's session begins."""
    return local_instant(office, booking.date, booking.session.start)


def reminder_key(booking: Booking) -> str:
    """Return the outbox key of the booking's reminder: one per booking and date."""
    return f"reminder:{booking.id}:{booking.date.isoformat()}"


# --- reminders ------------------------------------------------------------------------------


def due_reminders(session: Session, office: Office, now: dt.datetime, limit: int = 500) -> list[int]:
    """Return the ids of the office's bookings whose reminder is due and not yet sent."""
    today = office_today(office, now)
    rows = session.execute(
        select(Booking.id, Booking.date, OfficeSession.start)
        .join(OfficeSession, Booking.session_id == OfficeSession.id)
        .where(
            Booking.office_id == office.id,
            Booking.status == BookingStatus.BOOKED,
            Booking.reminded_at.is_(None),
            Booking.date.between(today, today + dt.timedelta(days=1)),
        )
        .order_by(Booking.date, OfficeSession.start, Booking.id)
    )
    # A closed date's citizens were told so and offered other dates: no "see you tomorrow".
    open_days = {day: closed_on(session, office, day)[0] is None for day in (today, today + dt.timedelta(days=1))}
    return [
        booking_id
        for booking_id, day, start in rows
        if reminder_instant(office, day) <= now < local_instant(office, day, start) and open_days[day]
    ][:limit]


def remind(session: Session, booking_id: int, now: dt.datetime) -> bool:
    """Queue the booking's reminder and mark it reminded, if still due; False if not done here."""
    conversation = claim_booking_conversation(session, booking_id, now)
    if conversation is None:
        return False
    booking = lock_booking(session, booking_id, Booking.status == BookingStatus.BOOKED, Booking.reminded_at.is_(None))
    if booking is None:
        return False
    office = booking.office
    # Checked again under the lock: the booking may have moved since it was found.
    if not reminder_instant(office, booking.date) <= now < appointment_start(office, booking):
        return False
    lang = conversation.language
    cutoff = release_cutoff(office, booking.date)
    releasable = cutoff is not None and now <= cutoff
    enqueue(
        session,
        conversation,
        kind="reminder",
        message_id="reminder",
        now=now,
        booking=booking,
        dedupe_key=reminder_key(booking),
        params={
            "code": booking.code,
            "date": format_date_short(booking.date, lang),  # tomorrow; the reminder is 2 SMS at most
            "start": booking.session.start,
            "end": booking.session.end,
            "office": office.name,
            "address": f", {office.address}" if office.address else "",
            "documents": documents_for(booking.service, is_minor(booking.nik, booking.date), lang),
            # Only a booking that can still be released is told it will be.
            "release_note": " " + render("reminder_deadline", lang, time=office.confirm_by) if releasable else "",
        },
    )
    booking.reminded_at = now
    return True


# --- release --------------------------------------------------------------------------------


def due_releases(session: Session, office: Office, now: dt.datetime, limit: int = 500) -> list[int]:
    """Return the ids of the office's reminded, unconfirmed bookings whose deadline has passed."""
    tomorrow = office_today(office, now) + dt.timedelta(days=1)
    if now < release_instant(office, tomorrow) or closed_on(session, office, tomorrow)[0] is not None:
        return []
    return list(
        session.scalars(
            select(Booking.id)
            .where(
                Booking.office_id == office.id,
                Booking.status == BookingStatus.BOOKED,
                Booking.reminded_at.is_not(None),
                Booking.date == tomorrow,
            )
            .order_by(Booking.id)
            .limit(limit)
        )
    )


def may_release(session: Session, booking: Booking, now: dt.datetime) -> bool:
    """Tell whether the booking may be released now (see the module's rules)."""
    office = booking.office
    cutoff = release_cutoff(office, booking.date)
    if (
        booking.status != BookingStatus.BOOKED
        or booking.reminded_at is None
        or cutoff is None
        or booking.reminded_at > cutoff
        or now < release_instant(office, booking.date)
        or office_today(office, now) >= booking.date
    ):
        return False
    reminder = session.scalar(select(Message).where(Message.dedupe_key == reminder_key(booking)))
    return reminder is not None and reminder.delivery not in UNDELIVERABLE and reminder.status not in UNDELIVERED


def release(session: Session, booking_id: int, now: dt.datetime) -> bool:
    """Release one unconfirmed booking and tell the citizen, if still due; False if not done."""
    conversation = claim_booking_conversation(session, booking_id, now)
    if conversation is None:
        return False
    booking = lock_booking(session, booking_id, Booking.status == BookingStatus.BOOKED)
    if booking is None or not may_release(session, booking, now):
        return False
    # Released places do not count as taken (storage.calendar.TAKEN): the place is
    # back on the calendar, and the waiting list's next run offers it.
    booking.status = BookingStatus.RELEASED
    lang = conversation.language
    enqueue(
        session,
        conversation,
        kind="release",
        message_id="release",
        now=now,
        booking=booking,
        dedupe_key=f"release:{booking.id}",
        params={
            "code": booking.code,
            "date": format_date(booking.date, lang),
            "start": booking.session.start,
            "end": booking.session.end,
            "time": booking.office.confirm_by,
        },
    )
    return True
