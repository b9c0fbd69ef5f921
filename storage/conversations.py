"""Citizens' conversations and their messages: locking, deduplication, the thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from conversations.state import State
from storage.db import upsert
from storage.models import Conversation, Message, Office


def lock_conversation(session: Session, office: Office, phone: str, channel: str, now: dt.datetime) -> Conversation:
    """Return the citizen's conversation with the office, created if new, locked for this transaction.

    The lock makes one citizen's messages run one after another, whatever process takes them.
    A citizen who wrote before (the common case) costs one statement; a new one, three.
    """
    found = _locked_conversation(session, office, phone)
    if found is not None:
        return found
    upsert(
        session,
        Conversation,
        {
            "office_id": office.id,
            "phone": phone,
            "channel": channel,
            "state": {},
            "language": "id",
            "handover": False,
            "opted_out": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    conversation = _locked_conversation(session, office, phone)
    assert conversation is not None
    return conversation


_LOCKED_CONVERSATION = (  # built once: it runs for every message
    select(Conversation)
    .where(Conversation.office_id == bindparam("office_id"), Conversation.phone == bindparam("phone"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def _locked_conversation(session: Session, office: Office, phone: str) -> Conversation | None:
    return session.scalar(_LOCKED_CONVERSATION, {"office_id": office.id, "phone": phone})


def load_state(conversation: Conversation) -> State:
    """Return the conversation's state as the machine knows it."""
    return State.from_json(conversation.state)


def save_state(conversation: Conversation, state: State) -> None:
    """Store the conversation's state and the columns that mirror it: the one writer of both.

    The inbox and the scheduler query the mirrors (language, handover, opted out); writing
    them here, from the state, keeps them what the state says.
    """
    conversation.state = state.to_json()
    conversation.language = state.lang
    conversation.handover = state.handover
    conversation.opted_out = state.opted_out


def find_conversation(session: Session, office: Office, phone: str) -> Conversation | None:
    """Return the citizen's conversation with the office, or None."""
    return session.scalar(select(Conversation).where(Conversation.office_id == office.id, Conversation.phone == phone))


def message_by_sid(session: Session, sid: str) -> Message | None:
    """Return the message Twilio knows by this MessageSid, or None."""
    return session.scalar(select(Message).where(Message.twilio_sid == sid))


def record_inbound(
    session: Session,
    conversation: Conversation,
    *,
    sid: str,
    body: str,
    num_media: int,
    channel: str,
    now: dt.datetime,
) -> int | None:
    """Store a citizen's message in one statement; return its id, or None when a message with
    this MessageSid is stored already (Twilio delivered it again: see message_by_sid).

    The caller holds the conversation's lock, and marks the conversation (mark_inbound) once
    the message is answered, so that the conversation's row is written once.
    """
    conversation.channel = channel  # the channel the facts and the replies use from now on
    message_id: int | None = upsert(
        session,
        Message,
        {
            "conversation_id": conversation.id,
            "direction": "in",
            "author": "citizen",
            "channel": channel,
            "body": body,
            "num_media": num_media,
            "twilio_sid": sid,
            "created_at": now,
        },
        key=[Message.twilio_sid],
        returning=Message.id,
    )
    return message_id


def mark_inbound(conversation: Conversation, now: dt.datetime) -> None:
    """Note on the conversation that the citizen wrote now (record_inbound stored the message)."""
    conversation.last_inbound_at = now
    conversation.updated_at = now


MESSAGES = cast("Table", Message.__table__)


def record_replies(
    session: Session,
    conversation: Conversation,
    bodies: Sequence[str],
    *,
    channel: str,
    now: dt.datetime,
    reply_to: int,
) -> None:
    """Store the bot's replies to a citizen's message (answered in TwiML), in order, in one statement."""
    conversation.updated_at = now
    if not bodies:
        return
    rows = [
        {
            "conversation_id": conversation.id,
            "direction": "out",
            "author": "bot",
            "channel": channel,
            "body": body,
            "reply_to_id": reply_to,
            "created_at": now,
        }
        for body in bodies
    ]
    session.execute(insert(MESSAGES), rows)  # Core: the ORM's bulk insert costs several times as much


def replies_to(session: Session, message_id: int) -> list[str]:
    """Return the bodies of the replies given to a message in TwiML, in order (not those sent through the outbox)."""
    return list(
        session.scalars(
            select(Message.body)
            .where(Message.reply_to_id == message_id, Message.delivery.is_(None))
            .order_by(Message.id)
        )
    )
