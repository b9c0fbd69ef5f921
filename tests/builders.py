"""Builders the tests share: officers, bookings (through storage or the webhook), and small look-ups.

Each takes keyword arguments for what the tests that use it vary; the defaults are the common case.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from storage.bookings import confirm_hold, hold_place
from storage.conversations import lock_conversation
from storage.db import Database
from storage.models import Booking, Message, Officer, OfficerOffice, OfficeSession
from storage.officers import create_officer
from storage.offices import office_by_code
from tests.conftest import START

WIB = START.tzinfo
PASSWORD = "kata-sandi-rahasia"
CODE_RE = re.compile(r"PLG-[2-9A-HJ-NP-Z]{6}")


def wib(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Return an instant in December 2026 on Palembang's clock."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=WIB)


def nik(n: int) -> str:
    """Return a valid NIK (Palembang, born 1 January 1990) with serial n."""
    return f"167101010190{n:04d}"


_nik_of = nik  # book_replies takes a `nik` argument


# --- officers -------------------------------------------------------------------------------


def make_officer(
    db: Database,
    username: str = "budi",
    role: str = "officer",
    offices: tuple[str, ...] = ("PLG",),
    *,
    password: str | None = PASSWORD,
    language: str = "id",
) -> Officer:
    """Make an active officer serving the offices (by code) and return it.

    With a password (PASSWORD unless told), through storage.officers.create_officer: checked,
    scrypt-hashed (about 0.2 s), able to sign in. With password=None, inserted straight with an
    unusable hash, for tests that act as the officer through storage and never sign in.
    """
    with db.transaction() as session:
        if password is not None:
            return create_officer(session, username, password, role, offices, START, language=language)
        officer = Officer(
            username=username,
            password_hash="x",
            role=role,
            active=True,
            language=language,
            created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        )
        session.add(officer)
        session.flush()
        for code in offices:
            session.add(OfficerOffice(officer_id=officer.id, office_id=office_by_code(session, code).id))
        return officer


# --- bookings -------------------------------------------------------------------------------


def session_id(db: Database, start: str, only_on: dt.date | None = None) -> int:
    """Return the id of PLG's session starting at start (a weekly one, or the extra one on only_on)."""
    with db.transaction() as session:
        return session.scalar(
            select(OfficeSession.id).where(
                OfficeSession.start == start,
                OfficeSession.only_on.is_(None) if only_on is None else OfficeSession.only_on == only_on,
            )
        )


def make_booking(
    db: Database,
    phone: str,
    n: int,
    day: dt.date,
    start: str = "08:00",
    *,
    now: dt.datetime = START,
    name: str | None = None,
) -> str:
    """Book straight through storage (hold, then confirm), as a message would; return the code."""
    sid = session_id(db, start)
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        conversation = lock_conversation(session, office, phone, "whatsapp", now)
        held = hold_place(
            session,
            office,
            conversation,
            session_id=sid,
            day=day,
            service="renewal",
            passport_type="ordinary",
            name=name or f"Warga {n}",
            nik=nik(n),
            moving=None,
            now=now,
            hold_minutes=10,
            max_per_phone=5,
        )
        return confirm_hold(session, office, conversation, held.code, now).code


def book_replies(
    citizen,
    day: str = "2/12",
    session: str = "1",
    *,
    n: int = 1,
    name: str = "Budi Santoso",
    nik: str | None = None,
    service: str = "baru biasa",
    menu: bool = True,
) -> tuple[str, list[str]]:
    """Book through the webhook, as a citizen would; return the booking code and the booked reply.

    menu: start with MENU (False: the citizen's first message is already the menu choice);
    nik: the NIK to give (default nik(n)).
    """
    for text in (("MENU",) if menu else ()) + ("1", service, name, nik or _nik_of(n), day):
        citizen.says(text)
    summary = citizen.says(session)
    assert "Balas YA" in summary[0], summary
    replies = citizen.says("YA")
    found = CODE_RE.search(replies[0])
    assert found and "Booking berhasil" in replies[0], replies
    return found.group(), replies


def book(citizen, day: str = "2/12", session: str = "1", **kwargs) -> str:
    """Book through the webhook, as a citizen would (see book_replies); return the booking code."""
    return book_replies(citizen, day, session, **kwargs)[0]


# --- look-ups -------------------------------------------------------------------------------


def booking(db: Database, code: str) -> Booking:
    with db.transaction() as session:
        return session.scalar(select(Booking).where(Booking.code == code))


def outbox(db: Database, kind: str | None = None) -> list[Message]:
    """Return the messages the system queued (not the TwiML replies), oldest first."""
    with db.transaction() as session:
        query = select(Message).where(Message.direction == "out", Message.kind.is_not(None))
        if kind is not None:
            query = query.where(Message.kind == kind)
        return list(session.scalars(query.order_by(Message.id)))
