"""Citizens' conversations and their messages: locking, deduplication, the thread."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
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


def _locked_conversation(session: Session, office: Office, phone: str) -> Conversation | None:
    return session.scalar(
        select(Conversation)
        .where(Conversation.office_id == office.id, Conversation.phone == phone)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


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
) -> Message:
    """Store a citizen's message (flushed with the rest of the transaction's changes).

    The caller holds the conversation's lock and has looked the MessageSid up (message_by_sid),
    so this MessageSid is new; the unique index still refuses a clash, failing the transaction.
    """
    message = Message(
        conversation_id=conversation.id,
        direction="in",
        author="citizen",
        channel=channel,
        body=body,
        num_media=num_media,
        twilio_sid=sid,
        created_at=now,
    )
    session.add(message)
    conversation.channel = channel
    conversation.last_inbound_at = now
    conversation.updated_at = now
    return message


def record_outbound(
    session: Session,
    conversation: Conversation,
    *,
    body: str,
    channel: str,
    now: dt.datetime,
    reply_to: Message | None = None,
    author: str = "bot",
    status: str | None = None,
) -> Message:
    """Store a message sent to the citizen."""
    message = Message(
        conversation_id=conversation.id,
        direction="out",
        author=author,
        channel=channel,
        body=body,
        reply_to_id=reply_to.id if reply_to else None,
        status=status,
        created_at=now,
    )
    session.add(message)
    conversation.updated_at = now
    session.flush()
    return message


def replies_to(session: Session, message: Message) -> list[str]:
    """Return the bodies of the replies given to a message in TwiML, in order (not those sent through the outbox)."""
    return list(
        session.scalars(
            select(Message.body)
            .where(Message.reply_to_id == message.id, Message.delivery.is_(None))
            .order_by(Message.id)
        )
    )
