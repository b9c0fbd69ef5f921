"""The outbox: messages the system starts itself, queued in the transaction that causes them.

A queued message is a row in `messages` (direction "out") with delivery "pending". The
scheduler's delivery sweep claims due rows, sends them through Twilio and records the result;
a failed attempt is retried later with backoff. See scheduler/delivery.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from conversations.catalogue import render
from conversations.channels import Channel
from storage.conversations import load_state, save_state
from storage.db import rows_changed, upsert
from storage.models import Booking, Conversation, DeliveryState, Message, Office, SendSlot

# Twilio error codes that change what happens to a message (www.twilio.com/docs/api/errors).
OPTED_OUT = 21610  # the recipient sent STOP to this sender
BLOCKED = 63014  # the WhatsApp user blocked the sender
OUTSIDE_WINDOW = 63016  # WhatsApp free text outside the 24 hours after the citizen's last message
OPT_OUT_CODES = frozenset({OPTED_OUT, BLOCKED})
SKIPPED_OPTED_OUT = "the number has opted out (STOP)"
REPLY = "reply"  # the kind of a bot's answer sent through the outbox because Twilio stopped waiting for it


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
        conversation_id=conversation.id,
        direction="out",
        author=author,
        channel=conversation.channel,
        body=text,
        created_at=now,
        kind=kind,
        booking_id=booking.id if booking is not None else None,
        template={"message": message_id, "params": params, "lang": conversation.language},
        dedupe_key=dedupe_key,
        attempts=0,
        delivery=DeliveryState.SKIPPED if conversation.opted_out else DeliveryState.PENDING,
        next_attempt_at=None if conversation.opted_out else now,
        error_message=SKIPPED_OPTED_OUT if conversation.opted_out else None,
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


def send_replies_later(session: Session, inbound_id: int, sid: str, now: dt.datetime) -> int:
    """Queue in the outbox the TwiML replies to a citizen's message, which Twilio stopped waiting for; return how many.

    Each reply is moved, not copied (the thread shows it once), with the dedupe key
    "reply:<MessageSid>:<n>", so however often Twilio delivers the message again it is sent once.
    From here a retry of that MessageSid gets no TwiML reply (see storage.conversations.replies_to).
    """
    replies = session.scalars(
        select(Message)
        .where(Message.reply_to_id == inbound_id, Message.delivery.is_(None), Message.direction == "out")
        .order_by(Message.id)
    ).all()
    for number, reply in enumerate(replies):
        reply.kind = REPLY
        reply.dedupe_key = f"reply:{sid}:{number}"
        reply.attempts = 0
        reply.delivery = DeliveryState.PENDING
        reply.next_attempt_at = now
    session.flush()
    return len(replies)


# --- delivery: claimed by the scheduler's sweep (scheduler/delivery.py), recorded here ---------


@dataclass(frozen=True)
class ClaimedMessage:
    """A queued message one sweep has claimed, with what sending it needs (read at claim time)."""

    id: int
    lease: dt.datetime  # claimed_until as claimed: the claim's token, checked when recording
    attempts: int  # including this one
    kind: str | None
    body: str
    template: dict[str, Any] | None
    error_code: int | None  # 63016: WhatsApp refused free text before, use a template or SMS
    conversation_id: int
    phone: str
    channel: str  # the conversation's: that of the citizen's last message
    language: str
    last_inbound_at: dt.datetime | None
    office_hotline: str
    office_sms_sender: str | None
    office_templates: dict[str, Any]


def claim_due(
    session: Session,
    now: dt.datetime,
    *,
    lease: dt.timedelta,
    batch: int,
    max_attempts: int,
) -> list[ClaimedMessage]:
    """Claim up to `batch` due messages for this sweep until now + lease; return them.

    Due: pending with next_attempt_at <= now, or sending with an expired lease (its sweep
    died). PostgreSQL skips rows another sweep is claiming (FOR UPDATE SKIP LOCKED); SQLite's
    BEGIN IMMEDIATE lets one claim run at a time. Messages to opted-out numbers are marked
    skipped, and an expired claim that was the last allowed attempt is marked failed: neither
    is returned. The caller commits before sending, so other sweeps see the claim.
    """
    until = now + lease
    rows = session.execute(
        select(Message, Conversation, Office)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .join(Office, Conversation.office_id == Office.id)
        .where(
            or_(
                and_(Message.delivery == DeliveryState.PENDING, Message.next_attempt_at <= now),
                and_(Message.delivery == DeliveryState.SENDING, Message.claimed_until <= now),
            )
        )
        .order_by(Message.next_attempt_at, Message.id)
        .limit(batch)
        .with_for_update(skip_locked=True, of=Message)
        .execution_options(populate_existing=True)
    ).all()
    claimed = []
    for message, conversation, office in rows:
        if conversation.opted_out:
            message.delivery, message.claimed_until = DeliveryState.SKIPPED, None
            message.error_message = SKIPPED_OPTED_OUT
            continue
        if message.attempts >= max_attempts:
            # Only an expired claim gets here (a failed attempt at the limit is marked failed).
            message.delivery, message.claimed_until = DeliveryState.FAILED, None
            message.error_message = f"gave up after {message.attempts} attempts; the last one was interrupted"
            continue
        message.delivery, message.claimed_until = DeliveryState.SENDING, until
        message.attempts += 1
        claimed.append(
            ClaimedMessage(
                id=message.id,
                lease=until,
                attempts=message.attempts,
                kind=message.kind,
                body=message.body,
                template=message.template,
                error_code=message.error_code,
                conversation_id=conversation.id,
                phone=conversation.phone,
                channel=conversation.channel,
                language=conversation.language,
                last_inbound_at=conversation.last_inbound_at,
                office_hotline=office.hotline,
                office_sms_sender=office.sms_sender,
                office_templates=dict(office.whatsapp_templates or {}),
            )
        )
    session.flush()
    return claimed


def _still_claimed(claim: ClaimedMessage) -> ColumnElement[bool]:
    return and_(Message.id == claim.id, Message.delivery == DeliveryState.SENDING, Message.claimed_until == claim.lease)


def record_sent(
    session: Session,
    claim: ClaimedMessage,
    *,
    sid: str,
    status: str,
    via: str,
    channel: str,
    now: dt.datetime,
    error_code: int | None = None,
    error_message: str | None = None,
) -> bool:
    """Record what Twilio accepted; return False if the claim was lost (another sweep has it)."""
    result = session.execute(
        update(Message)
        .where(_still_claimed(claim))
        .values(
            delivery=DeliveryState.SENT,
            twilio_sid=sid,
            status=status,
            sent_via=via,
            channel=channel,
            sent_at=now,
            claimed_until=None,
            next_attempt_at=None,
            error_code=error_code,
            error_message=_clip(error_message),
        )
    )
    return rows_changed(result) == 1


def record_retry(
    session: Session,
    claim: ClaimedMessage,
    *,
    next_attempt_at: dt.datetime,
    error_code: int | None,
    error_message: str,
) -> bool:
    """Put the message back in the queue for another attempt; return False if the claim was lost."""
    result = session.execute(
        update(Message)
        .where(_still_claimed(claim))
        .values(
            delivery=DeliveryState.PENDING,
            next_attempt_at=next_attempt_at,
            claimed_until=None,
            error_code=error_code,
            error_message=_clip(error_message),
        )
    )
    return rows_changed(result) == 1


def record_failed(
    session: Session,
    claim: ClaimedMessage,
    *,
    error_code: int | None,
    error_message: str,
) -> bool:
    """Mark the message failed for good (officers see why); return False if the claim was lost."""
    result = session.execute(
        update(Message)
        .where(_still_claimed(claim))
        .values(
            delivery=DeliveryState.FAILED,
            claimed_until=None,
            next_attempt_at=None,
            error_code=error_code,
            error_message=_clip(error_message),
        )
    )
    return rows_changed(result) == 1


def record_skipped(session: Session, claim: ClaimedMessage, *, reason: str = SKIPPED_OPTED_OUT) -> bool:
    """Mark the message skipped, nothing sent; return False if the claim was lost."""
    result = session.execute(
        update(Message)
        .where(_still_claimed(claim))
        .values(
            delivery=DeliveryState.SKIPPED,
            claimed_until=None,
            next_attempt_at=None,
            error_message=_clip(reason),
        )
    )
    return rows_changed(result) == 1


def release(session: Session, claims: list[ClaimedMessage], now: dt.datetime) -> None:
    """Give back claimed messages this sweep will not send, due at once and the attempt not counted."""
    for claim in claims:
        session.execute(
            update(Message)
            .where(_still_claimed(claim))
            .values(
                delivery=DeliveryState.PENDING,
                next_attempt_at=now,
                claimed_until=None,
                attempts=Message.attempts - 1,
            )
        )


def opt_out(session: Session, conversation_id: int, now: dt.datetime) -> None:
    """Stop everything to the citizen, as STOP would: Twilio said the number opted out or blocked us."""
    conversation = session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if conversation is None or conversation.opted_out:
        return
    # As the machine does on STOP: opted out, and no officer keeps a conversation nobody can reach.
    save_state(conversation, dataclasses.replace(load_state(conversation), opted_out=True, handover=False))
    conversation.updated_at = now


# A send Twilio has not answered after this long is taken as answered then (its process died).
UNANSWERED_SECONDS = 60.0


@dataclass(frozen=True)
class SendTurn:
    """What take_send_turn says: send now (wait_until None), or ask again at wait_until."""

    wait_until: dt.datetime | None
    started: float = 0.0  # the send's start as recorded (POSIX seconds): for finish_send_turn


def take_send_turn(
    session: Session,
    sender: str,
    clock: Callable[[], dt.datetime],
    *,
    rate: float,
    horizon: dt.timedelta,
) -> SendTurn:
    """Let one of the sender's sends start now if its rate allows, or say when to ask again.

    Twilio counts a sender's messages per second, as they reach it. A send reaches Twilio
    somewhere between its start and Twilio's answer, however long it was held up on the way;
    so a send starts only a full second after Twilio answered the send `rate` sends before it
    (none before it answered), and never sooner than 1/rate after the last one started: no
    second at Twilio can hold more than the rate. Under the sender's row lock, shared by every
    process; `clock` is read once the lock is held. The caller records Twilio's answer with
    finish_send_turn (a send never finished counts as answered UNANSWERED_SECONDS after it
    started). Sends recorded more than `horizon` after now come from another clock (a run with
    a made-up --now) and are forgotten. The commit need not wait for the disk
    (Database.run(durable=False)): nothing here outlives a minute.
    """
    upsert(session, SendSlot, {"sender": sender})  # a sender new here
    slot = session.scalar(
        select(SendSlot).where(SendSlot.sender == sender).with_for_update().execution_options(populate_existing=True)
    )
    assert slot is not None
    now = clock()
    at = now.timestamp()
    sends = _recent_sends(slot.recent)
    if any(started > at + horizon.total_seconds() for started, _ in sends):
        sends = []
    per_second = max(1, int(rate))
    earliest = at
    if sends:
        earliest = max(earliest, sends[-1][0] + 1 / rate)
    if len(sends) >= per_second:
        started, finished = sends[-per_second]
        if finished is None and at < started + UNANSWERED_SECONDS:
            earliest = max(earliest, at + 1 / rate)  # not answered yet: look again in a moment
        else:
            earliest = max(earliest, (finished if finished is not None else started + UNANSWERED_SECONDS) + 1)
    if earliest - at >= 1e-6:  # (POSIX seconds as floats hold microseconds, not much less)
        return SendTurn(now + dt.timedelta(microseconds=math.ceil((earliest - at) * 1e6)))
    slot.recent = [[started, finished] for started, finished in [*sends, (at, None)][-per_second:]]
    return SendTurn(None, at)


def finish_send_turn(session: Session, sender: str, started: float, clock: Callable[[], dt.datetime]) -> None:
    """Record that Twilio answered the send that started at `started` (take_send_turn's), now."""
    slot = session.scalar(select(SendSlot).where(SendSlot.sender == sender).with_for_update())
    if slot is None:
        return
    finished = clock().timestamp()
    slot.recent = [
        [begun, finished if begun == started and done is None else done] for begun, done in _recent_sends(slot.recent)
    ]


def _recent_sends(value: Any) -> list[tuple[float, float | None]]:
    """Read the stored sends, leaving out anything malformed."""
    sends = []
    for entry in value or ():
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int | float):
            done = entry[1] if isinstance(entry[1], int | float) else None
            sends.append((float(entry[0]), None if done is None else float(done)))
    return sends


# --- Twilio's status callbacks ---------------------------------------------------------------

# MessageStatus in the order a message moves through them; a status never moves back.
PROGRESS = {"accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4, "read": 5}
# Final failures: they replace any status before "delivered", and nothing replaces them.
FAILURES = ("failed", "undelivered", "canceled")
FINAL_RANK = 100


@dataclass(frozen=True)
class StatusUpdate:
    """What a status callback changed."""

    found: bool  # a message has this MessageSid
    changed: bool  # its status moved forward to the one reported
    requeued: bool = False  # WhatsApp refused free text (63016): queued again for a template or SMS
    opted_out: bool = False  # Twilio said the number opted out or blocked us: the conversation is


def _rank(column: InstrumentedAttribute[str | None]) -> ColumnElement[int]:
    return case(
        (column.in_(FAILURES), FINAL_RANK),
        *[(column == status, rank) for status, rank in PROGRESS.items()],
        else_=-1,  # no status yet, or one we do not know: anything may replace it
    )


def record_status(
    session: Session,
    sid: str,
    status: str,
    error_code: int | None,
    now: dt.datetime,
) -> StatusUpdate:
    """Store a MessageStatus Twilio reported for an outbound message, never moving it backwards.

    One conditional UPDATE decides, so two callbacks racing cannot regress the status. A
    failure with 63016 on WhatsApp free text puts the message back in the queue, once (only
    while it is still the sent free text), for the sweep to send as a template or SMS.
    """
    message = session.scalar(select(Message).where(Message.twilio_sid == sid, Message.direction == "out"))
    if message is None:
        return StatusUpdate(found=False, changed=False)
    failure = status in FAILURES
    if not failure and status not in PROGRESS:
        return StatusUpdate(found=True, changed=False)
    allowed = _rank(Message.status) < (PROGRESS["delivered"] if failure else PROGRESS[status])
    values: dict[str, Any] = {"status": status}
    if error_code is not None:
        values.update(error_code=error_code, error_message=_clip(describe_error(error_code)))
    result = session.execute(
        update(Message).where(Message.id == message.id, Message.twilio_sid == sid, allowed).values(**values)
    )
    changed = rows_changed(result) == 1
    requeued = False
    if changed and failure and error_code == OUTSIDE_WINDOW:
        requeued = (
            rows_changed(
                session.execute(
                    update(Message)
                    .where(
                        Message.id == message.id,
                        Message.twilio_sid == sid,
                        Message.delivery == DeliveryState.SENT,
                        Message.sent_via == Channel.WHATSAPP,
                    )
                    .values(
                        delivery=DeliveryState.PENDING,
                        next_attempt_at=now,
                        claimed_until=None,
                        error_code=OUTSIDE_WINDOW,
                        error_message=describe_error(OUTSIDE_WINDOW),
                    )
                )
            )
            == 1
        )
    opted = failure and error_code in OPT_OUT_CODES
    if opted:
        opt_out(session, message.conversation_id, now)
    return StatusUpdate(found=True, changed=changed, requeued=requeued, opted_out=opted)


ERRORS = {
    21211: "not a valid phone number",
    21408: "sending to this region is not enabled",
    21610: "the number has opted out (STOP)",
    21614: "not a mobile number",
    30003: "the handset is unreachable",
    30005: "unknown or inactive number",
    30006: "a landline or unreachable carrier",
    30007: "filtered by the carrier",
    30008: "unknown error from the carrier",
    63014: "the citizen blocked the sender on WhatsApp",
    63016: "outside WhatsApp's 24-hour window: free text refused",
}


def describe_error(code: int) -> str:
    """Return a short, data-free description of a Twilio error code, for officers."""
    return f"Twilio error {code}: {ERRORS[code]}" if code in ERRORS else f"Twilio error {code}"


def _clip(text: str | None) -> str | None:
    return text[:300] if text is not None else None
