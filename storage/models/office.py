"""Offices, their sessions, their closed dates and the per-day rows that capacity locks."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column, relationship

from storage.base import Base


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    hotline: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    timezone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(Text)
    days: Mapped[str] = mapped_column(String(40))  # "mon,tue,wed,thu,fri"
    book_ahead_days: Mapped[int] = mapped_column(Integer)
    # The day before an appointment: when the reminder goes, and when unconfirmed places go back.
    reminder_at: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    confirm_by: Mapped[str] = mapped_column(String(5), default="20:00", server_default="20:00")
    # An SMS-capable number to fall back on when WhatsApp cannot carry a message.
    sms_sender: Mapped[str | None] = mapped_column(String(20))
    # Approved WhatsApp templates: {kind: {language: ContentSid}}.
    whatsapp_templates: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Officers' desk hours, {"mon": "08:00-16:00", "fri": "08:00-11:30,13:30-16:00", ...};
    # None: the default hours (conversations.hours.DEFAULT_HOURS).
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    map_url: Mapped[str | None] = mapped_column(String(500))  # None: a map search for the address
    # Changes (to a new random token) whenever what the office is made of does: its row, its
    # sessions, closed dates, per-date capacities, questions or fees. Processes cache that
    # setup (storage/office_setup.py) and read it again when the token differs.
    setup_version: Mapped[str] = mapped_column(String(32), default=lambda: new_setup_version(), server_default="0")

    sessions: Mapped[list[OfficeSession]] = relationship(back_populates="office", order_by="OfficeSession.start")
    closed_dates: Mapped[list[ClosedDate]] = relationship(back_populates="office")

    def touch_setup(self) -> None:
        """Say that the office's setup changed (after a bulk UPDATE or DELETE of a part of it)."""
        self.setup_version = new_setup_version()

    @property
    def weekdays(self) -> frozenset[int]:
        """Return the open weekdays as numbers, Monday = 0."""
        return _weekdays(self.days)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@functools.lru_cache(maxsize=64)
def _weekdays(days: str) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(d) for d in days.split(",") if d)


class OfficeSession(Base):
    """A daily time window with a number of places, e.g. 08:00-10:00 for 50 citizens.

    With `only_on` set it is an extra session on that one date (a Saturday clinic, say).
    """

    __tablename__ = "office_sessions"
    __table_args__ = (
        Index(
            "uq_office_sessions_daily",
            "office_id",
            "start",
            unique=True,
            sqlite_where=text("only_on IS NULL"),
            postgresql_where=text("only_on IS NULL"),
        ),
        Index(
            "uq_office_sessions_extra",
            "office_id",
            "only_on",
            "start",
            unique=True,
            sqlite_where=text("only_on IS NOT NULL"),
            postgresql_where=text("only_on IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    start: Mapped[str] = mapped_column(String(5))  # "HH:MM" in the office's time zone
    end: Mapped[str] = mapped_column(String(5))
    capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    only_on: Mapped[dt.date | None] = mapped_column(Date)

    office: Mapped[Office] = relationship(back_populates="sessions")


class ClosedDate(Base):
    """A date an office is closed beyond national holidays and cuti bersama."""

    __tablename__ = "closed_dates"
    __table_args__ = (UniqueConstraint("office_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    # "file" for dates from the office file (a reload makes them match the file again);
    # dates closed another way are kept when the file is loaded.
    source: Mapped[str] = mapped_column(String(10), default="file")

    office: Mapped[Office] = relationship(back_populates="closed_dates")


class SendSlot(Base):
    """A sender's last sends: shared by every scheduler process, for the send rate."""

    __tablename__ = "send_slots"

    sender: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The sender's last sends, oldest first: [started, finished] in POSIX seconds (finished is
    # None while Twilio has not answered). A second's worth: see storage.outbox.take_send_turn.
    recent: Mapped[list[list[float | None]] | None] = mapped_column(JSON)


class SessionDay(Base):
    """One session on one date: the row that booking locks to count places without a race."""

    __tablename__ = "session_days"
    __table_args__ = (UniqueConstraint("session_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("office_sessions.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    # A supervisor's capacity for this date, instead of the session's usual one.
    capacity: Mapped[int | None] = mapped_column(Integer)


class OfficeQuestion(Base):
    """A question the bot answers for an office ([[office.faq]]): its keywords and its texts."""

    __tablename__ = "office_questions"
    __table_args__ = (UniqueConstraint("office_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)  # the file's order: it breaks ties between answers
    keywords: Mapped[list[str]] = mapped_column(JSON)
    text_id: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)


class OfficeFee(Base):
    """A passport fee an office quotes ([[office.fees]]), in force from its effective date."""

    __tablename__ = "office_fees"
    __table_args__ = (UniqueConstraint("office_id", "key", "effective"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    key: Mapped[str] = mapped_column(String(40))
    effective: Mapped[dt.date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer)
    label_id: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(Integer)  # Rupiah


def new_setup_version() -> str:
    return uuid.uuid4().hex


# What an office is made of: a change to any of these, made through the ORM, gives the office a
# new setup_version in the same flush (a bulk UPDATE or DELETE must call touch_setup itself).
SETUP_PARTS = (OfficeSession, ClosedDate, OfficeQuestion, OfficeFee)


@event.listens_for(Session, "before_flush")
def _new_setup_version(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    office_ids: set[int] = set()
    session_ids: set[int] = set()  # a per-date capacity names its session, not its office
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Office):
            if instance in session.new or session.is_modified(instance):
                instance.touch_setup()
        elif isinstance(instance, SETUP_PARTS) and instance.office_id is not None:
            office_ids.add(instance.office_id)
        elif isinstance(instance, SessionDay) and session.is_modified(instance):
            session_ids.add(instance.session_id)
    with session.no_autoflush:
        for session_id in session_ids:
            office_session = session.get(OfficeSession, session_id)
            if office_session is not None:
                office_ids.add(office_session.office_id)
        for office_id in office_ids:
            office = session.get(Office, office_id)
            if office is not None:
                office.touch_setup()
