"""Which days an office is open, and how many places each session has left."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from conversations.vocabulary import TAKEN, BookingStatus
from storage.models import Booking, ClosedDate, Office, OfficeSession, SessionDay

# Statuses that occupy a place on their day; a hold occupies one only until it expires.


@functools.lru_cache(maxsize=32)
def national_holidays(year: int) -> dict[dt.date, str]:
    """Return Indonesia's public holidays and cuti bersama of the year, with their names."""
    found = holidays.country_holidays("ID", years=year, categories=("public", "government"), language="id")
    return dict(found.items())


def office_today(office: Office, now: dt.datetime) -> dt.date:
    """Return the calendar date at the office at the instant now."""
    return now.astimezone(ZoneInfo(office.timezone)).date()


def office_time(office: Office, now: dt.datetime) -> str:
    """Return the wall-clock time at the office, as "HH:MM"."""
    return now.astimezone(ZoneInfo(office.timezone)).strftime("%H:%M")


def closed_dates(session: Session, office: Office, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Return the office's own closed dates between first and last."""
    rows = session.execute(
        select(ClosedDate.date, ClosedDate.reason).where(
            ClosedDate.office_id == office.id, ClosedDate.date.between(first, last)
        )
    )
    return {day: reason or "" for day, reason in rows}


def closed_reason(
    office: Office,
    day: dt.date,
    office_closed: Mapping[dt.date, str],
    extra_days: Collection[dt.date] = (),
) -> tuple[str | None, str | None]:
    """Return why the office is closed on day ("holiday", "office", "weekday") and a name.

    A day in extra_days has an extra session (a Saturday clinic): its weekday does not close
    it, but a national holiday or a closed date still does.
    """
    holiday = national_holidays(day.year).get(day)
    if holiday:
        return "holiday", holiday
    if day in office_closed:
        return "office", office_closed[day] or None
    if day.weekday() not in office.weekdays and day not in extra_days:
        return "weekday", None
    return None, None


def closed_on(session: Session, office: Office, day: dt.date) -> tuple[str | None, str | None]:
    """Return why the office is closed on day (None, None when open), extra sessions counted."""
    return closed_reason(
        office,
        day,
        closed_dates(session, office, day, day),
        {s.only_on for s in office_sessions(session, office, day, day) if s.only_on},
    )


@dataclass(frozen=True)
class SessionPlaces:
    session: OfficeSession
    number: int  # 1 for the day's first session
    capacity: int
    booked: int
    held: int
    started: bool  # the session has begun, so it takes no more bookings

    @property
    def available(self) -> int:
        if self.started:
            return 0
        return max(0, self.capacity - self.booked - self.held)


@dataclass(frozen=True)
class DayPlaces:
    date: dt.date
    closed: str | None
    holiday: str | None
    sessions: tuple[SessionPlaces, ...]

    @property
    def open(self) -> bool:
        return self.closed is None


def office_sessions(session: Session, office: Office, first: dt.date, last: dt.date) -> list[OfficeSession]:
    """Return the office's active sessions that may run from first to last (daily and extra), by start."""
    return list(
        session.scalars(
            select(OfficeSession)
            .where(
                OfficeSession.office_id == office.id,
                OfficeSession.active.is_(True),
                or_(OfficeSession.only_on.is_(None), OfficeSession.only_on.between(first, last)),
            )
            .order_by(OfficeSession.start, OfficeSession.id)
        )
    )


class _Dated(Protocol):
    """A session as runs_on reads it: an OfficeSession, or one of a cached setup."""

    @property
    def only_on(self) -> dt.date | None: ...


def runs_on(office: Office, office_session: _Dated, day: dt.date) -> bool:
    """Tell whether the session runs on day, closures aside: an extra one on its date, a daily one on office days."""
    if office_session.only_on is not None:
        return office_session.only_on == day
    return day.weekday() in office.weekdays


def capacity_overrides(
    session: Session,
    session_ids: Collection[int],
    first: dt.date,
    last: dt.date,
) -> dict[tuple[int, dt.date], int]:
    """Return the per-date capacities set for the sessions from first to last, by (session id, date)."""
    if not session_ids:
        return {}
    rows = session.execute(
        select(SessionDay.session_id, SessionDay.date, SessionDay.capacity).where(
            SessionDay.session_id.in_(sorted(session_ids)),
            SessionDay.date.between(first, last),
            SessionDay.capacity.is_not(None),
        )
    )
    return {(sid, day): capacity for sid, day, capacity in rows if capacity is not None}


_TAKEN_COUNTS = (  # built once: the conversation counts places often
    select(
        Booking.date,
        Booking.session_id,
        func.sum(case((Booking.status.in_(TAKEN), 1), else_=0)),
        func.sum(
            case((and_(Booking.status == BookingStatus.HELD, Booking.hold_expires_at > bindparam("now")), 1), else_=0)
        ),
    )
    .where(Booking.office_id == bindparam("office_id"), Booking.date.between(bindparam("first"), bindparam("last")))
    .group_by(Booking.date, Booking.session_id)
)


def taken_counts(
    session: Session, office: Office, first: dt.date, last: dt.date, now: dt.datetime
) -> dict[tuple[dt.date, int], tuple[int, int]]:
    """Return (places booked, places held by a live hold) by (date, session id), from first to last."""
    counts = session.execute(_TAKEN_COUNTS, {"office_id": office.id, "first": first, "last": last, "now": now})
    return {(day, sid): (int(booked or 0), int(held or 0)) for day, sid, booked, held in counts}


def places(session: Session, office: Office, first: dt.date, last: dt.date, now: dt.datetime) -> list[DayPlaces]:
    """Return each day from first to last with its sessions' capacity, bookings and live holds.

    A day's sessions are the daily ones (on office weekdays) and the extra ones of that date,
    numbered in start order; a capacity set for the date replaces the session's usual one.
    """
    taken = taken_counts(session, office, first, last, now)
    office_closed = closed_dates(session, office, first, last)
    today, clock = office_today(office, now), office_time(office, now)
    sessions = office_sessions(session, office, first, last)
    extra_days = {s.only_on for s in sessions if s.only_on is not None}
    overrides = capacity_overrides(session, [s.id for s in sessions], first, last)
    days = []
    day = first
    while day <= last:
        closed, name = closed_reason(office, day, office_closed, extra_days)
        rows = tuple(
            SessionPlaces(
                session=s,
                number=i,
                capacity=overrides.get((s.id, day), s.capacity),
                booked=taken.get((day, s.id), (0, 0))[0],
                held=taken.get((day, s.id), (0, 0))[1],
                started=day < today or (day == today and s.start <= clock),
            )
            for i, s in enumerate((s for s in sessions if runs_on(office, s, day)), start=1)
        )
        days.append(DayPlaces(day, closed, name, () if closed else rows))
        day += dt.timedelta(days=1)
    return days


def nearest_free_days(
    session: Session,
    office: Office,
    day: dt.date,
    now: dt.datetime,
    count: int = 3,
) -> list[dt.date]:
    """Return up to count bookable dates with places left nearest to day (never day itself), by date.

    The same choice the conversation makes (conversations.machine.nearest_days): from today
    to the office's booking horizon, nearest first, the earlier of two equally near.
    """
    today = office_today(office, now)
    last = today + dt.timedelta(days=office.book_ahead_days)
    free = [
        d.date
        for d in places(session, office, today, last, now)
        if d.open and d.date != day and sum(s.available for s in d.sessions) > 0
    ]
    return sorted(sorted(free, key=lambda d: (abs((d - day).days), d))[:count])
