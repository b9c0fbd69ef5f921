"""The words every layer shares: booking and waitlist statuses, and why storage refused an effect.

Each is defined here once, as a StrEnum (its members are the strings stored in the database
and shown by the API), with the groups of statuses the rules use. The database's check
constraints are built from these enums too.
"""

from __future__ import annotations

import enum


class BookingStatus(enum.StrEnum):
    """Where a booking (or the hold that becomes one) stands."""

    HELD = "held"  # a place kept a few minutes for the citizen's YA
    EXPIRED = "expired"  # a hold not confirmed in time
    BOOKED = "booked"
    CONFIRMED = "confirmed"  # the citizen answered YA to the reminder
    CANCELLED = "cancelled"
    RELEASED = "released"  # not confirmed by the reminder's deadline: the place went back
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"


# The groups below are tuples in the enum's order (SQL's IN takes them as they are).
# An appointment still to come.
ACTIVE = (BookingStatus.BOOKED, BookingStatus.CONFIRMED)
# A place counted against the day's capacity for good (a live hold counts until it expires).
TAKEN = (*ACTIVE, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
# What an officer can check in (a no-show who turns up late too).
CHECKABLE = (*ACTIVE, BookingStatus.NO_SHOW)
# A citizen's few minutes at the summary: not a booking yet.
HOLDS = (BookingStatus.HELD, BookingStatus.EXPIRED)
# Holding a NIK or a place on the day: a live hold or an appointment to come.
HOLDING = (BookingStatus.HELD, *ACTIVE)
# Shown on the inbox's side panel: what the citizen has now.
CURRENT = (*HOLDING, BookingStatus.CHECKED_IN)
# What the JSON API reports: every booking but holds.
REPORTED = tuple(status for status in BookingStatus if status not in HOLDS)


class WaitlistStatus(enum.StrEnum):
    """Where a citizen waiting for a place on a full day stands."""

    WAITING = "waiting"
    OFFERED = "offered"  # a freed place is held for them
    BOOKED = "booked"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


IN_LINE = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)  # in the queue for a place


class RefusalReason(enum.StrEnum):
    """Why storage could not apply an effect the machine asked for."""

    FULL = "full"
    CLOSED = "closed"
    NIK_TAKEN = "nik_taken"
    PHONE_LIMIT = "phone_limit"
    HOLD_LOST = "hold_lost"
    UNKNOWN_BOOKING = "unknown_booking"
    WAITLIST_DUPLICATE = "waitlist_duplicate"  # this number already waits for that day


def sql_list(kind: type[enum.StrEnum], members: tuple[str, ...] | None = None) -> str:
    """Return an enum's values (or those of its members given) as a SQL list: 'a', 'b'.

    They come in the enum's order, so the text of a check constraint or partial index stays
    the same from one run to the next (and matches the migrations').
    """
    return ", ".join(f"'{value}'" for value in kind if members is None or value in members)
