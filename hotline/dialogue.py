"""One citizen's message, from parsed input to stored replies: the path shared by the
webhook and `hotline chat`."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from conversations.catalogue import render
from conversations.facts import Refusal
from conversations.machine import Inbound, Outcome, step
from conversations.state import State
from hotline.twiml import fit_to_channel
from storage import conversations
from storage.bookings import Refused
from storage.effects import Limits, apply_effects
from storage.facts import load_facts
from storage.models import Office

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a refused effect re-runs the step with the refusal; twice is plenty


@dataclass(frozen=True)
class IncomingMessage:
    sid: str  # Twilio's MessageSid
    phone: str  # the citizen, E.164
    channel: str  # "sms" or "whatsapp"
    body: str
    num_media: int = 0


def receive(session: Session, office: Office, message: IncomingMessage, now: dt.datetime, limits: Limits) -> list[str]:
    """Handle one message in the caller's transaction and return the replies to send.

    A message whose MessageSid was handled before changes nothing and gets the same replies.
    """
    conversation = conversations.lock_conversation(session, office, message.phone, message.channel, now)
    earlier = conversations.message_by_sid(session, message.sid)
    if earlier is not None:
        return conversations.replies_to(session, earlier)
    inbound = conversations.record_inbound(
        session, conversation, sid=message.sid, body=message.body, num_media=message.num_media,
        channel=message.channel, now=now,
    )
    if inbound is None:
        return []
    state = State.from_json(conversation.state)
    outcome = _decide(session, office, conversation, state, message, now, limits)
    conversation.state = outcome.state.to_json()
    conversation.language = outcome.state.lang
    conversation.handover = outcome.state.handover
    conversation.opted_out = outcome.state.opted_out
    replies = [fit_to_channel(reply, message.channel) for reply in outcome.replies]
    for reply in replies:
        conversations.record_outbound(
            session, conversation, body=reply, channel=message.channel, now=now, reply_to=inbound,
        )
    return replies


def _decide(session, office, conversation, state: State, message: IncomingMessage, now, limits: Limits) -> Outcome:
    refusal = None
    for _ in range(MAX_ATTEMPTS):
        facts = load_facts(session, office, conversation, now,
                           max_bookings=limits.max_bookings_per_phone, refusal=refusal)
        outcome = step(state, Inbound(message.body, message.num_media), now, facts)
        try:
            with session.begin_nested():
                apply_effects(session, office, conversation, outcome.effects, now, limits)
            return outcome
        except Refused as refused:
            refusal = Refusal(refused.reason, refused.code)
    # Every attempt was refused (places changing under the citizen's feet): keep the state.
    log.warning("effects refused %d times for conversation %s", MAX_ATTEMPTS, conversation.id)
    return Outcome(state, (render("not_understood", state.lang),))
