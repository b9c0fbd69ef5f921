"""Lapsed holds, and how a sweep takes a citizen's conversation before it changes anything.

A sweep locks in the order a message does (conversation, then booking, then session-day),
so a sweep and a citizen's message never wait on each other in a circle. It takes locks
with SKIP LOCKED: a row some other process holds (a message being answered, another
scheduler doing the same item) is left for the next run rather than waited for.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from conversations.dates import format_date
from conversations.state import Draft, Step
from conversations.vocabulary import BookingStatus
from storage.conversations import find_conversation, load_state, lock_conversation, save_state
from storage.models import Booking, Conversation, WaitlistEntry
from storage.outbox import enqueue


def claim_conversation(session: Session, conversation_id: int) -> Conversation | None:
    """Lock the conversation for this transaction; None if another transaction holds it."""
    return session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


def claim_booking_conversation(session: Session, booking_id: int, now: dt.datetime) -> Conversation | None:
    """Lock the conversation a booking's messages go to (created if the citizen never wrote).

    None when the booking is gone, or another transaction holds the conversation (a message
    of this citizen being answered): the sweep leaves the item for its next run.
    """
    booking = session.get(Booking, booking_id)
    if booking is None:
        return None
    if booking.conversation_id is not None:
        return claim_conversation(session, booking.conversation_id)
    found = find_conversation(session, booking.office, booking.phone)
    if found is not None:
        return claim_conversation(session, found.id)
    return lock_conversation(session, booking.office, booking.phone, booking.channel, now)


def lock_booking(session: Session, booking_id: int, *conditions: ColumnElement[bool]) -> Booking | None:
    """Lock the booking if it still meets the conditions; None if not, or another holds it."""
    return session.scalar(
        select(Booking)
        .where(Booking.id == booking_id, *conditions)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


def back_to_menu(conversation: Conversation) -> None:
    """Drop the conversation's draft and put it back at the menu (language and flags kept)."""
    save_state(conversation, replace(load_state(conversation), step=Step.MENU, draft=Draft()))


def waits_on(conversation: Conversation, hold: Booking) -> bool:
    """Tell whether the conversation is at the summary of this hold, waiting for a YA."""
    state = load_state(conversation)
    return state.step == "confirm" and state.draft.date == hold.date and state.draft.session_id == hold.session_id


def _offered() -> ColumnElement[bool]:
    """Return the condition "this hold is a place offered from the waiting list"."""
    return exists().where(WaitlistEntry.hold_id == Booking.id, WaitlistEntry.status == "offered")


def lapsed_holds(session: Session, now: dt.datetime, limit: int = 500) -> list[int]:
    """Return the ids of holds past their time, oldest first (waiting-list offers excepted)."""
    return list(
        session.scalars(
            select(Booking.id)
            .where(Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now, ~_offered())
            .order_by(Booking.hold_expires_at, Booking.id)
            .limit(limit)
        )
    )


def expire_hold(session: Session, booking_id: int, now: dt.datetime) -> bool:
    """Expire one lapsed hold and tell the citizen if still at its summary; False if not done.

    A citizen who has moved on from the summary (asked for another date, was told the hold
    was lost) hears nothing: the notice would speak of a question no longer asked.
    """
    conversation = claim_booking_conversation(session, booking_id, now)
    if conversation is None:
        return False
    hold = lock_booking(
        session, booking_id, Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now, ~_offered()
    )
    if hold is None:
        return False
    hold.status = BookingStatus.EXPIRED
    if not waits_on(conversation, hold) or load_state(conversation).draft.offer:
        return True
    back_to_menu(conversation)
    notice = functools.partial(
        enqueue, session, conversation, now=now, booking=hold, dedupe_key=f"hold_expired:{hold.id}"
    )
    if hold.moves_booking_id is not None:
        moved = session.get(Booking, hold.moves_booking_id)
        # Its own kind: outside WhatsApp's window it needs a template of its own text.
        notice(kind="move_expired", message_id="move_expired", params={"code": moved.code if moved else ""})
    else:
        notice(
            kind="hold_expired",
            message_id="hold_expired",
            params={
                "date": format_date(hold.date, conversation.language),
                "start": hold.session.start,
                "end": hold.session.end,
            },
        )
    return True
