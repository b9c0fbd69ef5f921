"""Holds and bookings: capacity, limits and codes, enforced under a lock in the database."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conversations.vocabulary import ACTIVE, HOLDING, HOLDS, TAKEN, BookingStatus, RefusalReason, WaitlistStatus
from storage.calendar import closed_on, office_time, office_today, runs_on
from storage.db import rows_changed, upsert
from storage.models import (
    Booking,
    Conversation,
    Office,
    OfficeSession,
    SessionDay,
    WaitlistEntry,
)
from storage.reminders import confirmed_on_booking

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6


class Refused(Exception):
    """A change the rules do not allow, and why."""

    def __init__(self, reason: RefusalReason, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def new_code(office: Office) -> str:
    """Return a fresh random booking code such as PLG-7K3QXM."""
    return f"{office.code}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def lock_session_day(session: Session, session_id: int, day: dt.date) -> int | None:
    """Lock the row of one session on one day, creating it first if needed; return its capacity override.

    Every change to that session-day's places (or its capacity) takes this lock, so counting
    the places and taking one cannot interleave between processes. (SQLite's BEGIN IMMEDIATE
    already serialises writers; the row is created there too so both databases hold the same
    data.) One statement: an insert that, on the existing row, sets nothing new but locks it
    (ON CONFLICT DO UPDATE locks the row as SELECT … FOR UPDATE would) and returns its
    override, None when the session's usual capacity holds.
    """
    capacity: int | None = upsert(
        session,
        SessionDay,
        {"session_id": session_id, "date": day},
        key=[SessionDay.session_id, SessionDay.date],
        update=lambda excluded: {"date": excluded.date},
        returning=SessionDay.capacity,
    )
    return capacity


def locked_capacity(session: Session, office: Office, office_session: OfficeSession, day: dt.date) -> int:
    """Lock the session-day and return its capacity; raise Refused(CLOSED) if the day closed meanwhile."""
    override = lock_session_day(session, office_session.id, day)
    # An officer closing the day holds this lock while closing it: look again once we have it.
    if closed_on(session, office, day)[0]:
        raise Refused(RefusalReason.CLOSED)
    return office_session.capacity if override is None else override


_PLACES_TAKEN = (  # built once: every hold counts (booking ids start at 1: excluding=0 excludes none)
    select(func.count())
    .select_from(Booking)
    .where(
        Booking.session_id == bindparam("session_id"),
        Booking.date == bindparam("day"),
        or_(
            Booking.status.in_(TAKEN),
            and_(Booking.status == BookingStatus.HELD, Booking.hold_expires_at > bindparam("now")),
        ),
        Booking.id != bindparam("excluding"),
    )
)


def places_taken(
    session: Session, session_id: int, day: dt.date, now: dt.datetime, *, excluding: int | None = None
) -> int:
    """Count the bookings and live holds that occupy places in a session on a day."""
    taken: int | None = session.scalar(
        _PLACES_TAKEN, {"session_id": session_id, "day": day, "now": now, "excluding": excluding or 0}
    )
    return taken or 0


def active_bookings(session: Session, office: Office, phone: str, today: dt.date) -> list[Booking]:
    """Return the phone's bookings at the office that are still to come, soonest first."""
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.office_id == office.id,
                Booking.phone == phone,
                Booking.status.in_(ACTIVE),
                Booking.date >= today,
            )
            .order_by(Booking.date, Booking.id)
        )
    )


def active_code_for_nik(session: Session, office: Office, nik: str, today: dt.date) -> str | None:
    """Return the code of the NIK's active booking at the office, or None."""
    return session.scalar(
        select(Booking.code).where(
            Booking.office_id == office.id,
            Booking.nik == nik,
            Booking.status.in_(ACTIVE),
            Booking.date >= today,
        )
    )


_CODES_FOR_NIKS = (  # built once: a message holding a NIK runs it
    select(Booking.nik, Booking.code)
    .where(
        Booking.office_id == bindparam("office_id"),
        Booking.nik.in_(bindparam("niks", expanding=True)),
        Booking.status.in_(ACTIVE),
        Booking.date >= bindparam("today"),
    )
    .order_by(Booking.id)
)


def active_codes_for_niks(session: Session, office: Office, niks: Iterable[str], today: dt.date) -> dict[str, str]:
    """Return NIK -> code of its active booking at the office, for those of the NIKs that have one."""
    wanted = sorted(set(niks))
    if not wanted:
        return {}
    rows = session.execute(_CODES_FOR_NIKS, {"office_id": office.id, "niks": wanted, "today": today})
    codes: dict[str, str] = {}
    for nik, code in rows:
        if nik is not None:
            codes.setdefault(nik, code)
    return codes


def current_hold(session: Session, conversation: Conversation) -> Booking | None:
    """Return the place the conversation holds (live or lapsed but not yet swept), or None."""
    return session.scalar(
        select(Booking)
        .where(Booking.conversation_id == conversation.id, Booking.status == BookingStatus.HELD)
        .order_by(Booking.id.desc())
        .limit(1)
    )


def release_holds(session: Session, conversation: Conversation) -> int:
    """Give back every place the conversation holds; return how many.

    A place offered from the waiting list and given back is declined: its entry leaves the
    list, and the place goes to the next in line.
    """
    held = list(
        session.scalars(select(Booking.id).where(Booking.conversation_id == conversation.id, Booking.status == "held"))
    )
    if not held:
        return 0
    session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.hold_id.in_(held), WaitlistEntry.status == WaitlistStatus.OFFERED)
        .values(status=BookingStatus.CANCELLED)
    )
    return rows_changed(
        session.execute(
            update(Booking).where(Booking.id.in_(held)).values(status=BookingStatus.EXPIRED, hold_expires_at=None)
        )
    )


def _clear_stale_for_nik(session: Session, office: Office, nik: str, now: dt.datetime, today: dt.date) -> None:
    """Retire what would wrongly block the NIK, in one statement: lapsed holds (expired), and
    past days never checked in (no-show)."""
    lapsed = and_(Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now)
    session.execute(
        update(Booking)
        .where(
            Booking.office_id == office.id,
            Booking.nik == nik,
            or_(lapsed, and_(Booking.status.in_(ACTIVE), Booking.date < today)),
        )
        .values(status=case((Booking.status == BookingStatus.HELD, BookingStatus.EXPIRED), else_=BookingStatus.NO_SHOW))
        .execution_options(synchronize_session=False)
    )


def _check_bookable(
    session: Session,
    office: Office,
    office_session: OfficeSession | None,
    day: dt.date,
    now: dt.datetime,
    *,
    closed_dates: bool = True,
) -> OfficeSession:
    """Raise Refused unless the session takes bookings on day; closed_dates=False leaves the
    office's closed dates to be checked under the session-day's lock (locked_capacity)."""
    if office_session is None or office_session.office_id != office.id or not office_session.active:
        raise Refused(RefusalReason.FULL)
    today = office_today(office, now)
    if day < today or day > today + dt.timedelta(days=office.book_ahead_days):
        raise Refused(RefusalReason.CLOSED)
    if day == today and office_session.start <= office_time(office, now):
        raise Refused(RefusalReason.FULL)
    if not runs_on(office, office_session, day) or (closed_dates and closed_on(session, office, day)[0]):
        raise Refused(RefusalReason.CLOSED)
    return office_session


def hold_place(
    session: Session,
    office: Office,
    conversation: Conversation,
    *,
    session_id: int,
    day: dt.date,
    service: str,
    passport_type: str,
    name: str,
    nik: str | None,
    moving: str | None,
    now: dt.datetime,
    hold_minutes: int,
    max_per_phone: int,
) -> Booking:
    """Hold one place for the conversation; raise Refused when full, over a limit or closed."""
    # The office's closed dates are read once, under the session-day's lock (locked_capacity).
    chosen = session.get(OfficeSession, session_id)
    office_session = _check_bookable(session, office, chosen, day, now, closed_dates=False)
    today = office_today(office, now)
    release_holds(session, conversation)
    moves_booking_id = None
    if moving:
        moved = session.scalar(
            select(Booking).where(
                Booking.code == moving,
                Booking.office_id == office.id,
                Booking.phone == conversation.phone,
                Booking.status.in_(ACTIVE),
            )
        )
        if moved is None:
            raise Refused(RefusalReason.UNKNOWN_BOOKING, moving)
        moves_booking_id, nik = moved.id, None
    else:
        # The conversation row is locked, so no other message of this phone counts meanwhile.
        count = len(active_bookings(session, office, conversation.phone, today))
        if count >= max_per_phone:
            raise Refused(RefusalReason.PHONE_LIMIT)
        if nik:
            # Whatever still holds the NIK after this (a booking, another phone's live hold)
            # refuses the insert below through the unique index.
            _clear_stale_for_nik(session, office, nik, now, today)

    capacity = locked_capacity(session, office, office_session, day)
    if places_taken(session, office_session.id, day, now) >= capacity:
        raise Refused(RefusalReason.FULL)
    values = {
        "office_id": office.id,
        "session_id": office_session.id,
        "date": day,
        "status": BookingStatus.HELD,
        "conversation_id": conversation.id,
        "phone": conversation.phone,
        "channel": conversation.channel,
        "service": service,
        "passport_type": passport_type,
        "name": name,
        "nik": nik,
        "moves_booking_id": moves_booking_id,
        "hold_expires_at": now + dt.timedelta(minutes=hold_minutes),
        "created_at": now,
    }
    for _ in range(5):
        # One statement: the row inserted, or none when a unique index refused it (no
        # savepoint needed, nothing to undo).
        hold: Booking | None = upsert(session, Booking, {**values, "code": new_code(office)}, returning=Booking)
        if hold is not None:
            return hold
        # The NIK is held or booked (by another phone, or by another process a moment
        # ago), or the random code collided: find out which.
        if nik and (code := _active_code_or_hold_for_nik(session, office, nik)):
            raise Refused(RefusalReason.NIK_TAKEN, code)
    raise RuntimeError("could not find a free booking code")


def _active_code_or_hold_for_nik(session: Session, office: Office, nik: str) -> str | None:
    return session.scalar(
        select(Booking.code).where(Booking.office_id == office.id, Booking.nik == nik, Booking.status.in_(HOLDING))
    )


def confirm_hold(session: Session, office: Office, conversation: Conversation, code: str, now: dt.datetime) -> Booking:
    """Turn the conversation's hold into a booking (or move the booking it holds for)."""
    hold = session.scalar(
        select(Booking)
        .where(Booking.code == code, Booking.conversation_id == conversation.id, Booking.status.in_(HOLDS))
        .with_for_update()
    )
    if hold is None:
        raise Refused(RefusalReason.HOLD_LOST)
    override = lock_session_day(session, hold.session_id, hold.date)
    lapsed = hold.status == BookingStatus.EXPIRED or (hold.hold_expires_at and hold.hold_expires_at <= now)
    if lapsed:
        # The hold lapsed: keep the place only if it is still free.
        try:
            _check_bookable(session, office, hold.session, hold.date, now)
        except Refused:
            raise Refused(RefusalReason.HOLD_LOST) from None
        capacity = hold.session.capacity if override is None else override
        if places_taken(session, hold.session_id, hold.date, now, excluding=hold.id) >= capacity:
            raise Refused(RefusalReason.HOLD_LOST)
    if hold.moves_booking_id is not None:
        moved = session.scalar(select(Booking).where(Booking.id == hold.moves_booking_id).with_for_update())
        if moved is None or moved.status not in ACTIVE:
            raise Refused(RefusalReason.UNKNOWN_BOOKING)
        if moved.date != hold.date:
            # A new date is a new appointment: reminded (and confirmed) afresh.
            moved.reminded_at = None
            moved.status, moved.confirmed_at = _new_status(office, hold.date, now)
        moved.session_id, moved.date = hold.session_id, hold.date
        session.execute(delete(Booking).where(Booking.id == hold.id))
        session.flush()
        return moved
    nik = hold.nik
    status, confirmed_at = _new_status(office, hold.date, now)
    if hold.status == BookingStatus.HELD:
        # Still held (and locked): its NIK is in the unique index already, nothing can clash.
        hold.status, hold.booked_at, hold.hold_expires_at = status, now, None
        hold.confirmed_at = confirmed_at
    else:
        try:
            # begin_nested() flushes what is pending before its SAVEPOINT, so the change must be
            # made inside the block: a clash on the NIK index then undoes only the savepoint.
            with session.begin_nested():
                hold.status, hold.booked_at, hold.hold_expires_at = status, now, None
                hold.confirmed_at = confirmed_at
                session.flush()
        except IntegrityError:
            # An expired hold: meanwhile another phone held or booked its NIK.
            taken_by = _active_code_or_hold_for_nik(session, office, nik or "")
            raise Refused(RefusalReason.NIK_TAKEN, taken_by) from None
    # A place offered from the waiting list is taken: the entry is done.
    session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.hold_id == hold.id, WaitlistEntry.status == WaitlistStatus.OFFERED)
        .values(status=BookingStatus.BOOKED)
    )
    return hold


def _new_status(office: Office, day: dt.date, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    """Return the status and confirmation time of a booking made (or moved to day) now.

    After the reminder time of its day (09:00 the day before) a booking needs no reminder:
    the citizen has just said they will come, so it counts as confirmed and is never released.
    """
    if confirmed_on_booking(office, day, now):
        return "confirmed", now
    return "booked", None


def _lock_active_booking(session: Session, office: Office, phone: str, code: str) -> Booking:
    """Lock one of the phone's active bookings at the office; raise Refused if it has none by that code."""
    booking = session.scalar(
        select(Booking)
        .where(Booking.code == code, Booking.office_id == office.id, Booking.phone == phone, Booking.status.in_(ACTIVE))
        .with_for_update()
    )
    if booking is None:
        raise Refused(RefusalReason.UNKNOWN_BOOKING, code)
    return booking


def confirm_booking(session: Session, office: Office, phone: str, code: str, now: dt.datetime) -> Booking:
    """Confirm one of the phone's active bookings (a YA to its reminder); raise Refused if none.

    A booking already confirmed stays as it was.
    """
    booking = _lock_active_booking(session, office, phone, code)
    if booking.status == BookingStatus.BOOKED:
        booking.status, booking.confirmed_at = BookingStatus.CONFIRMED, now
        session.flush()
    return booking


def cancel_booking(session: Session, office: Office, phone: str, code: str, now: dt.datetime) -> Booking:
    """Cancel one of the phone's active bookings; raise Refused if it has no such booking."""
    booking = _lock_active_booking(session, office, phone, code)
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
    session.flush()
    return booking
