"""A citizen's conversation with one office, and every message in it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conversations.vocabulary import sql_list
from storage.base import Base, UTCDateTime


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("office_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    channel: Mapped[str] = mapped_column(String(10))  # of the last inbound message
    profile_name: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(2), default="id")
    # Mirrors of the state that the officers' inbox and the scheduler query.
    handover: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The officers' inbox: who has it, since when a citizen waits for a person, who is typing.
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    waiting_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    replying_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    replying_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    messages: Mapped[list[Message]] = relationship(back_populates="conversation", order_by="Message.id")


class ConversationRead(Base):
    """How far an officer has read a conversation: what makes the unread counts."""

    __tablename__ = "conversation_reads"

    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    last_message_id: Mapped[int] = mapped_column(Integer)


class Note(Base):
    """An officer's private note on a conversation: never sent."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DeliveryState(enum.StrEnum):
    """Where a queued message stands in the outbox (a TwiML reply or an inbound one has none)."""

    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a delivery sweep
    SENT = "sent"  # Twilio accepted it (Message.status follows it from there)
    FAILED = "failed"
    SKIPPED = "skipped"  # to an opted-out number: nothing sent


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        Index("ix_messages_conversation", "conversation_id", "id"),
        Index("ix_messages_outbox", "delivery", "next_attempt_at"),
        CheckConstraint(f"delivery IS NULL OR delivery IN ({sql_list(DeliveryState)})", name="delivery"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(3))
    author: Mapped[str] = mapped_column(String(10))  # citizen, bot, officer, system
    channel: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text, default="")
    num_media: Mapped[int] = mapped_column(Integer, default=0)
    # Twilio's MessageSid: unique, so a webhook Twilio delivers twice is handled once.
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    status: Mapped[str | None] = mapped_column(String(20))  # Twilio's MessageStatus, never backwards
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    # --- the outbox: messages the system starts itself (reminders, notices, officers' replies).
    # A TwiML reply has none of these: Twilio sends it as the webhook's answer.
    kind: Mapped[str | None] = mapped_column(String(20))  # reply, reminder, release, hold_expired, ...
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    # What a WhatsApp template gets outside the 24-hour window: {"message": id, "params": {...}}.
    template: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # One reminder per booking, one notice per release...: a second insert with the key fails.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    delivery: Mapped[str | None] = mapped_column(String(10))  # a DeliveryState
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_via: Mapped[str | None] = mapped_column(String(20))  # whatsapp, whatsapp_template, sms
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(String(300))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))  # who wrote it

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
