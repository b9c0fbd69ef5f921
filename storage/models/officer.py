"""Officers, the offices they serve, sign-in attempts, canned replies and the audit log."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from conversations.vocabulary import sql_list
from storage.base import Base, UTCDateTime


class OfficerRole(enum.StrEnum):
    """What an officer may do, widening from the first to the last."""

    OFFICER = "officer"  # the offices named: the inbox and the day's bookings
    SUPERVISOR = "supervisor"  # also quota, calendar, audit log and others' conversations
    ADMIN = "admin"  # all that, in every office


# Roles that lead: they set quota and the calendar, read the audit log and step into others' conversations.
LEADS = frozenset({OfficerRole.SUPERVISOR, OfficerRole.ADMIN})


class Officer(Base):
    __tablename__ = "officers"
    __table_args__ = (CheckConstraint(f"role IN ({sql_list(OfficerRole)})", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(2), default="id")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Part of every signed-in session's key: raised when the officer signs out, which ends
    # every session of theirs (a cookie captured before no longer opens anything).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class OfficerOffice(Base):
    """An office an officer or supervisor serves (an admin serves all)."""

    __tablename__ = "officer_offices"

    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)


class LoginAttempt(Base):
    """One sign-in attempt, for throttling by username and by address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username", "username", "at"),
        Index("ix_login_attempts_address", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CannedReply(Base):
    """A reply officers reuse, with variables such as {code}, {date} and {address}."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))  # None: every office
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="id")


class AuditEvent(Base):
    """Who changed what, and when: every officer action that changes something."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_office_at", "office_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    action: Mapped[str] = mapped_column(String(40))  # reply, take_over, hand_back, check_in, ...
    subject: Mapped[str] = mapped_column(String(80))  # "booking:PLG-7K3QXM", "conversation:12"
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
