"""Officers: accounts, passwords, the offices they serve, and sign-in throttling."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, false, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.security import check_password_hash, generate_password_hash

from storage.models import LoginAttempt, Office, Officer, OfficerOffice
from storage.models.officer import OfficerRole

LANGUAGES = ("id", "en")
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# scrypt, memory-hard (N=2^15, r=8: 32 MiB a check); spelled out so a library default cannot weaken it.
PASSWORD_METHOD = "scrypt:32768:8:1"
# A key space of our own for PostgreSQL advisory locks, so they cannot collide with anyone else's.
ADVISORY_LOCK_SPACE = 0x5349474E  # "SIGN"


class OfficerError(ValueError):
    """An officer that cannot be created or changed; the message says why."""


class OfficerExists(OfficerError):
    """The username is taken already."""


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed sign-ins, in how long a window, before sign-in is refused for a while."""

    failures_per_username: int = 5
    failures_per_address: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)


def normalize_username(text: str) -> str:
    """Return a username as stored and compared: trimmed, lower case, at most 64 characters."""
    return text.strip().lower()[:64]


def hash_password(password: str) -> str:
    """Return the password's scrypt hash (salted), after checking its length."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OfficerError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise OfficerError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    return generate_password_hash(password, method=PASSWORD_METHOD)


@functools.cache
def _decoy_hash() -> str:
    return generate_password_hash("no officer has this password", method=PASSWORD_METHOD)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Tell whether the password matches the hash; with no hash, spend the same time and say no."""
    if not password or len(password) > MAX_PASSWORD_LENGTH:
        return False
    if password_hash is None:
        # An unknown username costs as much as a known one, so timing does not tell them apart.
        check_password_hash(_decoy_hash(), password)
        return False
    return check_password_hash(password_hash, password)


def officer_by_username(session: Session, username: str) -> Officer | None:
    """Return the officer with this username (any case), or None."""
    return session.scalar(select(Officer).where(Officer.username == normalize_username(username)))


def verify_password(session: Session, username: str, password: str) -> Officer | None:
    """Return the active officer whose username and password these are, or None."""
    officer = officer_by_username(session, username)
    usable = officer if officer is not None and officer.active else None
    if not password_matches(usable.password_hash if usable else None, password):
        return None
    return usable


def _offices_by_code(session: Session, codes: Iterable[str]) -> list[Office]:
    wanted = sorted({c.strip().upper() for c in codes})
    found = {o.code: o for o in session.scalars(select(Office).where(Office.code.in_(wanted)))}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        known = ", ".join(session.scalars(select(Office.code).order_by(Office.code))) or "none"
        raise OfficerError(f"unknown office code {', '.join(unknown)} (known: {known})")
    return [found[c] for c in wanted]


def _check_role_and_offices(role: str, offices: list[Office]) -> None:
    if role not in tuple(OfficerRole):
        raise OfficerError(f"the role must be one of {', '.join(OfficerRole)}, got {role!r}")
    if role == OfficerRole.ADMIN and offices:
        raise OfficerError("an admin serves every office: name no office")
    if role != OfficerRole.ADMIN and not offices:
        raise OfficerError(f"an {role} must serve at least one office: name one or more")


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise OfficerError(f"the language must be one of {', '.join(LANGUAGES)}, got {language!r}")


def _set_offices(session: Session, officer: Officer, offices: list[Office]) -> None:
    session.execute(delete(OfficerOffice).where(OfficerOffice.officer_id == officer.id))
    session.add_all(OfficerOffice(officer_id=officer.id, office_id=o.id) for o in offices)
    session.flush()


def create_officer(
    session: Session,
    username: str,
    password: str,
    role: str,
    office_codes: Iterable[str],
    now: dt.datetime,
    language: str = "id",
) -> Officer:
    """Create an active officer serving the offices named; refuse a username already taken."""
    name = normalize_username(username)
    if not USERNAME_RE.fullmatch(name):
        raise OfficerError(
            "the username must be 2-64 characters: letters, digits and . _ @ -, starting with a letter or digit"
        )
    if officer_by_username(session, name) is not None:
        raise OfficerExists(f"officer {name!r} already exists")
    offices = _offices_by_code(session, office_codes)
    _check_role_and_offices(role, offices)
    _check_language(language)
    officer = Officer(
        username=name, password_hash=hash_password(password), role=role, active=True, language=language, created_at=now
    )
    try:
        with session.begin_nested():
            session.add(officer)
            session.flush()
    except IntegrityError:
        # Created by someone else between our look and our insert.
        raise OfficerExists(f"officer {name!r} already exists") from None
    _set_offices(session, officer, offices)
    return officer


def update_officer(
    session: Session,
    username: str,
    *,
    password: str | None = None,
    role: str | None = None,
    office_codes: Iterable[str] | None = None,
    active: bool | None = None,
    language: str | None = None,
) -> Officer:
    """Change what is given of an existing officer; office_codes replaces the offices served."""
    officer = officer_by_username(session, username)
    if officer is None:
        raise OfficerError(f"no officer {normalize_username(username)!r}")
    new_role = role if role is not None else officer.role
    if office_codes is not None:
        offices = _offices_by_code(session, office_codes)
    elif new_role == OfficerRole.ADMIN:
        offices = []
    else:
        offices = list(
            session.scalars(
                select(Office)
                .join(OfficerOffice, OfficerOffice.office_id == Office.id)
                .where(OfficerOffice.officer_id == officer.id)
                .order_by(Office.code)
            )
        )
    _check_role_and_offices(new_role, offices)
    if language is not None:
        _check_language(language)
        officer.language = language
    if password is not None:
        officer.password_hash = hash_password(password)
    if active is not None:
        officer.active = active
    officer.role = new_role
    session.flush()
    _set_offices(session, officer, offices)
    return officer


def all_officers(session: Session) -> list[Officer]:
    """Return every officer, active or not, by username."""
    return list(session.scalars(select(Officer).order_by(Officer.username)))


def set_language(session: Session, officer_id: int, language: str) -> None:
    """Store the language an officer reads the pages in."""
    _check_language(language)
    officer = session.get(Officer, officer_id)
    if officer is not None:
        officer.language = language
        session.flush()


def office_ids(session: Session, officer: Officer) -> set[int] | None:
    """Return the ids of the offices the officer serves, or None for an admin (every office)."""
    if officer.role == OfficerRole.ADMIN:
        return None
    return set(session.scalars(select(OfficerOffice.office_id).where(OfficerOffice.officer_id == officer.id)))


def offices_served(session: Session, officer: Officer) -> list[Office]:
    """Return the offices the officer serves (every office for an admin), by code."""
    query = select(Office).order_by(Office.code)
    ids = office_ids(session, officer)
    if ids is not None:
        query = query.where(Office.id.in_(ids))
    return list(session.scalars(query))


def office_clause(column: ColumnElement[int], ids: set[int] | frozenset[int] | None) -> ColumnElement[bool]:
    """Return a WHERE clause keeping the rows whose office column is among ids (None: every office)."""
    if ids is None:
        return true()
    if not ids:
        return false()
    return column.in_(sorted(ids))


# --- sign-in throttling -------------------------------------------------------------------------


def _lock_keys(session: Session, keys: Iterable[str]) -> None:
    """On PostgreSQL, take this transaction's advisory locks on the keys, in one order for all.

    Counting the failures and recording the attempt then cannot interleave between two requests
    for the same username or address. (SQLite's BEGIN IMMEDIATE already serialises writers.)
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    numbers = sorted({zlib.crc32(k.encode("utf-8")) - 2**31 for k in keys})
    for number in numbers:
        session.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_SPACE, number)))


def _nth_recent_failure(
    session: Session, condition: ColumnElement[bool], since: dt.datetime, nth: int
) -> dt.datetime | None:
    return session.scalar(
        select(LoginAttempt.at)
        .where(condition, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
        .offset(nth - 1)
        .limit(1)
    )


def sign_in_refused_until(
    session: Session, username: str, address: str, now: dt.datetime, policy: ThrottlePolicy
) -> dt.datetime | None:
    """Return when sign-in may be tried again for this username or address, or None if it may be now.

    A username is refused after policy.failures_per_username failures within the window since
    its last success; an address after policy.failures_per_address failures within the window.
    Call it and record_attempt in one transaction: it locks the username and the address.
    """
    username, address = normalize_username(username), address[:64]
    _lock_keys(session, [f"username:{username}", f"address:{address}"])
    since = now - policy.window
    last_success = session.scalar(
        select(func.max(LoginAttempt.id)).where(LoginAttempt.username == username, LoginAttempt.succeeded.is_(True))
    )
    by_username = LoginAttempt.username == username
    if last_success is not None:
        by_username = by_username & (LoginAttempt.id > last_success)
    until = []
    for condition, limit in (
        (by_username, policy.failures_per_username),
        (LoginAttempt.address == address, policy.failures_per_address),
    ):
        oldest_counted = _nth_recent_failure(session, condition, since, limit)
        if oldest_counted is not None:
            until.append(oldest_counted + policy.window)
    return max(until) if until else None


def record_attempt(session: Session, username: str, address: str, now: dt.datetime, succeeded: bool = False) -> int:
    """Record a sign-in attempt and return its id; record it failed, then mark it, to count it at once."""
    attempt = LoginAttempt(username=normalize_username(username), address=address[:64], succeeded=succeeded, at=now)
    session.add(attempt)
    session.flush()
    return attempt.id


def mark_attempt_succeeded(session: Session, attempt_id: int) -> None:
    """Mark a recorded attempt as a success (the password matched)."""
    attempt = session.get(LoginAttempt, attempt_id)
    if attempt is not None:
        attempt.succeeded = True
        session.flush()
