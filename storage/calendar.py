"""Which days an office is open, and how many places each session has left."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from storage.models import Booking, ClosedDate, Office, OfficeSession

# Statuses that occupy a place on their day; a hold occupies one only until it expires.
TAKEN_STATUSES = ("booked", "confirmed", "checked_in", "no_show")


@functools.lru_cache(maxsize=32)
def national_holidays(year: int) -> dict[dt.date, str]:
    """Return Indonesia's public holidays and cuti bersama of the year, with their names."""
    found = holidays.country_holidays(
        "ID", years=year, categories=("public", "government"), language="id"
    )
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


def closed_reason(office: Office, day: dt.date, office_closed: dict[dt.date, str]) -> tuple[str | None, str | None]:
    """Return why the office is closed on day ("holiday", "office", "weekday") and a name."""
    holiday = national_holidays(day.year).get(day)
    if holiday:
        return "holiday", holiday
    if day in office_closed:
        return "office", office_closed[day] or None
    if day.weekday() not in office.weekdays:
        return "weekday", None
    return None, None


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


def active_sessions(office: Office) -> list[OfficeSession]:
    """Return the office's daily sessions that take bookings, by start time."""
    return [s for s in office.sessions if s.active and s.only_on is None]


def places(session: Session, office: Office, first: dt.date, last: dt.date, now: dt.datetime) -> list[DayPlaces]:
    """Return each day from first to last with its sessions' capacity, bookings and live holds."""
    counts = session.execute(
        select(
            Booking.date,
            Booking.session_id,
            func.sum(case((Booking.status.in_(TAKEN_STATUSES), 1), else_=0)),
            func.sum(case((and_(Booking.status == "held", Booking.hold_expires_at > now), 1), else_=0)),
        )
        .where(Booking.office_id == office.id, Booking.date.between(first, last))
        .group_by(Booking.date, Booking.session_id)
    )
    taken = {(day, sid): (int(booked or 0), int(held or 0)) for day, sid, booked, held in counts}
    office_closed = closed_dates(session, office, first, last)
    today, clock = office_today(office, now), office_time(office, now)
    sessions = active_sessions(office)
    days = []
    day = first
    while day <= last:
        closed, name = closed_reason(office, day, office_closed)
        rows = tuple(
            SessionPlaces(
                session=s, number=i, capacity=s.capacity,
                booked=taken.get((day, s.id), (0, 0))[0], held=taken.get((day, s.id), (0, 0))[1],
                started=day < today or (day == today and s.start <= clock),
            )
            for i, s in enumerate(sessions, start=1)
        )
        days.append(DayPlaces(day, closed, name, () if closed else rows))
        day += dt.timedelta(days=1)
    return days
