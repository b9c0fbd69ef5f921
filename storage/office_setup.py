"""What an office is made of, cached per process: sessions, closed dates, per-date capacities,
desk hours, questions and fees.

They change rarely (an `office load`, the quota pages, the calendar) and are read on every
citizen's message. Each office carries a `setup_version` token that changes with any of them
(storage/models/office.py); a process keeps the setup it read last with its token and reads
it again when the office row shows another. Only what the conversation reads goes through
this cache: what books or closes a place reads the database itself, under its locks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from conversations.hours import OfficeHours
from conversations.questions import Fee, Question
from storage.models import ClosedDate, Office, OfficeSession, SessionDay
from storage.offices import office_fees, office_hours, office_questions


@dataclass(frozen=True)
class SetupSession:
    """One of the office's active sessions, daily or (only_on) on one date."""

    id: int
    start: str
    end: str
    capacity: int
    only_on: dt.date | None


@dataclass(frozen=True)
class OfficeSetup:
    version: str
    sessions: tuple[SetupSession, ...]  # by start
    closed: Mapping[dt.date, str]  # the office's own closed dates, with their reasons
    capacities: Mapping[tuple[int, dt.date], int]  # (session id, date) -> capacity set for the date
    hours: OfficeHours
    questions: tuple[Question, ...]
    fees: tuple[Fee, ...]


_CACHE: dict[tuple[str, int], OfficeSetup] = {}


def office_setup(session: Session, office: Office) -> OfficeSetup:
    """Return the office's setup: from this process's cache while its version holds."""
    key = (str(session.get_bind().engine.url), office.id)
    cached = _CACHE.get(key)
    if cached is not None and cached.version == office.setup_version:
        return cached
    setup = _read(session, office)
    _CACHE[key] = setup
    return setup


def _read(session: Session, office: Office) -> OfficeSetup:
    sessions = tuple(
        SetupSession(s.id, s.start, s.end, s.capacity, s.only_on)
        for s in session.scalars(
            select(OfficeSession)
            .where(OfficeSession.office_id == office.id, OfficeSession.active.is_(True))
            .order_by(OfficeSession.start, OfficeSession.id)
        )
    )
    closed = {
        day: reason or ""
        for day, reason in session.execute(
            select(ClosedDate.date, ClosedDate.reason).where(ClosedDate.office_id == office.id)
        )
    }
    capacities = {
        (sid, day): capacity
        for sid, day, capacity in session.execute(
            select(SessionDay.session_id, SessionDay.date, SessionDay.capacity)
            .join(OfficeSession, OfficeSession.id == SessionDay.session_id)
            .where(OfficeSession.office_id == office.id, SessionDay.capacity.is_not(None))
        )
        if capacity is not None
    }
    return OfficeSetup(
        version=office.setup_version,
        sessions=sessions,
        closed=closed,
        capacities=capacities,
        hours=office_hours(session, office),
        questions=office_questions(session, office),
        fees=office_fees(session, office),
    )
