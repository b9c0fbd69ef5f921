"""The outbox: messages the system starts itself, queued in the transaction that causes them.

A queued message is a row in `messages` (direction "out") with delivery "pending". The
scheduler's delivery sweep claims due rows, sends them through Twilio and records the result;
a failed attempt is retried later with backoff. See scheduler/delivery.py.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conversations.catalogue import render
from storage.models import Booking, Conversation, Message


def enqueue(
    session: Session,
    conversation: Conversation,
    *,
    kind: str,
    message_id: str,
    params: dict[str, Any],
    now: dt.datetime,
    booking: Booking | None = None,
    dedupe_key: str | None = None,
    author: str = "system",
    body: str | None = None,
) -> Message | None:
    """Queue a message to the citizen in the caller's transaction.

    The text is the catalogue's message in the conversation's language (or `body` as given,
    for an officer's words). Return None, queueing nothing, when a message with the same
    dedupe_key exists already. To an opted-out number nothing is sent: the row is kept with
    delivery "skipped" so that officers see what did not go.
    """
    text = body if body is not None else render(message_id, conversation.language, **params)
    message = Message(
        conversation_id=conversation.id, direction="out", author=author,
        channel=conversation.channel, body=text, created_at=now, kind=kind,
        booking_id=booking.id if booking is not None else None,
        template={"message": message_id, "params": params, "lang": conversation.language},
        dedupe_key=dedupe_key, attempts=0,
        delivery="skipped" if conversation.opted_out else "pending",
        next_attempt_at=None if conversation.opted_out else now,
        error_message="the number has opted out (STOP)" if conversation.opted_out else None,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None
    conversation.updated_at = now
    return message
