"""The audit log: who changed what, and when, for every officer action that changes something.

An event's details are scrubbed before they are stored: a NIK (16 digits) keeps only its last
4 digits and a phone number (9 digits or more) its first and last digits, wherever they appear
in the details' strings, keys included. The subject names a record by its id or booking code
("conversation:12", "booking:PLG-7K3QXM"), never by a phone number or NIK.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from conversations.nik import mask_niks
from storage.models import AuditEvent, Officer

# 9 or more digits, optionally after a "+", with single spaces or dashes: a phone number.
PHONE_IN_TEXT = re.compile(r"(?<![0-9+])\+?[0-9](?:[ \-]?[0-9]){8,}(?![0-9])")
MAX_EVENTS = 500  # one page of the log at most


class AuditError(ValueError):
    """A request for the log that cannot be answered (an unknown cursor)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def mask_phone(phone: str) -> str:
    """Return the number with its middle hidden: '+6281234567890' -> '+62812****7890'."""
    text = re.sub(r"[^0-9+]", "", phone or "")
    digits = text.lstrip("+")
    head = 6 if text.startswith("+") else 4  # "+62812" or "0812": country and operator
    if len(digits) < 9:
        # Too short to show both ends without showing most of it.
        return "*" * max(len(text) - 2, 0) + text[-2:] if len(text) > 2 else "*" * len(text)
    return text[:head] + "*" * (len(text) - head - 4) + text[-4:]


def scrub_text(text: str) -> str:
    """Return the text with every NIK and phone number in it masked."""
    # The bot's own NIK finder: whatever it would read as a NIK is masked.
    text = mask_niks(text)
    return PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)


def scrub(value: Any) -> Any:
    """Return a JSON value with every NIK and phone number in its strings masked."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {scrub_text(str(key)): scrub(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(abs(int(value)))) >= 9:
        return scrub_text(str(value))  # a number written as an integer is still a number
    return value


def record(
    session: Session,
    officer: Officer | None,
    office_id: int | None,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    *,
    now: dt.datetime,
) -> AuditEvent:
    """Add one event to the log (officer None: the system) with its details scrubbed; return it."""
    event = AuditEvent(
        officer_id=officer.id if officer is not None else None,
        office_id=office_id,
        action=action[:40],
        subject=scrub_text(subject)[:80],
        details=scrub(details) if details else None,
        at=now,
    )
    session.add(event)
    session.flush()
    return event


def events(
    session: Session,
    office_ids: set[int] | None,
    *,
    limit: int,
    before: int | None = None,
    action: str | None = None,
) -> list[AuditEvent]:
    """Return the offices' events (None: every office), newest first, older than event `before`.

    `before` is the id of the last event of the previous page; raise AuditError("unknown_cursor")
    if no such event exists. Events with no office (sign-ins) appear only when office_ids is None.
    """
    query = select(AuditEvent)
    if office_ids is not None:
        query = query.where(AuditEvent.office_id.in_(sorted(office_ids)))
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if before is not None:
        cursor = session.get(AuditEvent, before)
        if cursor is None:
            raise AuditError("unknown_cursor")
        query = query.where(
            or_(
                AuditEvent.at < cursor.at,
                and_(AuditEvent.at == cursor.at, AuditEvent.id < cursor.id),
            )
        )
    limit = max(1, min(limit, MAX_EVENTS))
    return list(session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
