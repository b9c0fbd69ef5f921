"""What the machine asks storage to do; storage applies them in the message's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class HoldPlace:
    """Hold one place in a session for a few minutes (for a new booking, or to move one)."""

    date: dt.date
    session_id: int
    service: str
    passport_type: str
    name: str
    nik: str | None
    moving: str | None = None  # the code of the booking this hold will move


@dataclass(frozen=True)
class ConfirmHold:
    """Turn the conversation's hold into a booking, or move the booking it was held for."""

    code: str


@dataclass(frozen=True)
class ReleaseHold:
    """Give back any place the conversation holds."""


@dataclass(frozen=True)
class CancelBooking:
    """Cancel one of the citizen's active bookings."""

    code: str


@dataclass(frozen=True)
class ConfirmBooking:
    """Confirm a reminded booking: the citizen will come."""

    code: str


@dataclass(frozen=True)
class JoinWaitlist:
    """Put the citizen on the waiting list of a full day, with the details to book it."""

    date: dt.date
    service: str
    passport_type: str
    name: str
    nik: str


@dataclass(frozen=True)
class AwaitOfficer:
    """Put the conversation in the officers' waiting list: the bot could not help the citizen."""


Effect = HoldPlace | ConfirmHold | ReleaseHold | CancelBooking | ConfirmBooking | JoinWaitlist | AwaitOfficer
