"""One citizen's message, from parsed input to stored replies: the path shared by the
webhook and `hotline chat`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from conversations.catalogue import render
from conversations.channels import fit_to_channel, without_control
from conversations.facts import PlacesNotCounted, Refusal
from conversations.machine import Inbound, Outcome, step
from conversations.state import State
from storage import conversations, outbox
from storage.bookings import Refused
from storage.effects import Limits, apply_effects
from storage.facts import count_places, load_facts
from storage.models import Office

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a refused effect re-runs the step with the refusal; twice is plenty
MAX_BODY = 4096  # WhatsApp's limit; anything longer is cut


def clean_body(text: str) -> str:
    """Return a message body without control characters, at most MAX_BODY characters."""
    return without_control(text)[:MAX_BODY]


@dataclass(frozen=True)
class IncomingMessage:
    sid: str  # Twilio's MessageSid
    phone: str  # the citizen, E.164
    channel: str  # "sms" or "whatsapp"
    body: str
    num_media: int = 0


def receive(
    session: Session,
    office: Office,
    message: IncomingMessage,
    now: dt.datetime,
    limits: Limits,
    late: Callable[[], bool] | None = None,
) -> list[str]:
    """Handle one message in the caller's transaction and return the replies to send in TwiML.

    A message whose MessageSid was handled before changes nothing and gets the same replies.
    `late()`, asked when the replies are ready, tells whether Twilio has stopped waiting for the
    answer: then the replies are queued in the outbox instead (sent once, whatever Twilio
    delivers again) and none is returned, nor for any later delivery of that MessageSid.
    """
    conversation = conversations.lock_conversation(session, office, message.phone, message.channel, now)
    body = clean_body(message.body)
    inbound = conversations.record_inbound(
        session,
        conversation,
        sid=message.sid,
        body=body,
        num_media=message.num_media,
        channel=message.channel,
        now=now,
    )
    if inbound is None:
        earlier = conversations.message_by_sid(session, message.sid)
        assert earlier is not None  # the row that refused ours, under the same lock
        if earlier.conversation_id != conversation.id:
            # Twilio never gives two messages one MessageSid: this one, from another number or
            # to another office, is not a delivery again. Nothing of the other is answered.
            log.warning("message %s refused: its MessageSid belongs to another conversation", message.sid)
            return []
        # Twilio delivers a message again when it got no answer to the first delivery: its
        # TwiML replies never went out, so a late retry sends them through the outbox.
        if late is not None and late():
            _send_later(session, earlier.id, message.sid, now)
            return []
        return conversations.replies_to(session, earlier.id)
    state = conversations.load_state(conversation)
    outcome = _decide(session, office, conversation, state, Inbound(body, message.num_media), now, limits)
    conversations.save_state(conversation, outcome.state)
    conversations.mark_inbound(conversation, now)
    _keep_inbox_in_step(conversation, state, outcome.state, now)
    replies = [fit_to_channel(reply, message.channel) for reply in outcome.replies]
    conversations.record_replies(session, conversation, replies, channel=message.channel, now=now, reply_to=inbound)
    if replies and late is not None and late():
        _send_later(session, inbound, message.sid, now)
        return []
    return replies


def _send_later(session: Session, inbound_id: int, sid: str, now: dt.datetime) -> None:
    queued = outbox.send_replies_later(session, inbound_id, sid, now)
    if queued:
        log.warning("answer to %s too late for Twilio: %d replies go through the outbox", sid, queued)


def _keep_inbox_in_step(conversation, before: State, after: State, now: dt.datetime) -> None:
    """Mirror the message into the officers' inbox (storage/inbox.py): reopen, wait, stop waiting."""
    conversation.resolved_at = None  # a resolved conversation the citizen writes to again is open
    if after.handover and not before.handover:
        conversation.waiting_since = now  # PETUGAS: waits for an officer from now
    elif before.handover and not after.handover:
        conversation.waiting_since = None  # STOP ended the handover: nobody can answer any more


def _decide(session, office, conversation, state: State, message: Inbound, now, limits: Limits) -> Outcome:
    refusal = None
    counted: frozenset[dt.date] | None = frozenset()  # the days whose places the machine reads
    for _ in range(MAX_ATTEMPTS):
        facts = load_facts(
            session,
            office,
            conversation,
            now,
            max_bookings=limits.max_bookings_per_phone,
            hold_minutes=limits.hold_minutes,
            refusal=refusal,
            text=message.text,
            counted=counted,
        )
        while True:
            try:
                outcome = step(state, message, now, facts)
                break
            except PlacesNotCounted as missing:
                # Count the day the machine read (most messages choosing a date read one), then,
                # if it reads another (the nearest free dates), the whole window.
                if counted is None:
                    raise
                counted = None if counted or missing.day is None else frozenset({missing.day})
                facts = count_places(session, office, facts, now, counted)
        try:
            with session.begin_nested():
                apply_effects(session, office, conversation, outcome.effects, now, limits)
            return outcome
        except Refused as refused:
            refusal = Refusal(refused.reason, refused.code)
    # Every attempt was refused (places changing under the citizen's feet): keep the state.
    log.warning("effects refused %d times for conversation %s", MAX_ATTEMPTS, conversation.id)
    return Outcome(state, (render("not_understood", state.lang),))
