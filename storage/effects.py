"""Apply the conversation machine's effects to the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from conversations.effects import (
    AwaitOfficer,
    CancelBooking,
    ConfirmBooking,
    ConfirmHold,
    Effect,
    HoldPlace,
    JoinWaitlist,
    ReleaseHold,
)
from conversations.facts import HOLD_MINUTES, MAX_BOOKINGS_PER_PHONE
from storage import bookings, waitlist
from storage.models import Conversation, Office


@dataclass(frozen=True)
class Limits:
    hold_minutes: int = HOLD_MINUTES
    max_bookings_per_phone: int = MAX_BOOKINGS_PER_PHONE


def apply_effects(
    session: Session,
    office: Office,
    conversation: Conversation,
    effects: tuple[Effect, ...],
    now: dt.datetime,
    limits: Limits,
) -> None:
    """Apply the effects in order; raise bookings.Refused at the first the rules refuse."""
    for effect in effects:
        if isinstance(effect, HoldPlace):
            bookings.hold_place(
                session,
                office,
                conversation,
                session_id=effect.session_id,
                day=effect.date,
                service=effect.service,
                passport_type=effect.passport_type,
                name=effect.name,
                nik=effect.nik,
                moving=effect.moving,
                now=now,
                hold_minutes=limits.hold_minutes,
                max_per_phone=limits.max_bookings_per_phone,
            )
        elif isinstance(effect, ConfirmHold):
            bookings.confirm_hold(session, office, conversation, effect.code, now)
        elif isinstance(effect, ReleaseHold):
            bookings.release_holds(session, conversation)
        elif isinstance(effect, CancelBooking):
            bookings.cancel_booking(session, office, conversation.phone, effect.code, now)
        elif isinstance(effect, ConfirmBooking):
            bookings.confirm_booking(session, office, conversation.phone, effect.code, now)
        elif isinstance(effect, JoinWaitlist):
            waitlist.join_waitlist(
                session,
                office,
                conversation,
                day=effect.date,
                service=effect.service,
                passport_type=effect.passport_type,
                name=effect.name,
                nik=effect.nik,
                now=now,
            )
        elif isinstance(effect, AwaitOfficer):
            if conversation.waiting_since is None:
                conversation.waiting_since = now  # the inbox's waiting view shows it from now
        else:  # pragma: no cover - a new effect type without a handler is a programming error
            raise TypeError(f"no handler for {effect!r}")
