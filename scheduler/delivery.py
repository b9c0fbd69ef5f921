"""Outbound delivery: the sweep that sends queued messages through Twilio and records each result.

One sweep (`deliver_due`) claims due messages in a short transaction and commits the claim
(delivery "sending", claimed_until = now + LEASE), then sends them one by one, each when its
sender's rate allows (never more than SEND_RATE in any second at Twilio per sender, counted
from when the sends started and Twilio answered them, shared by all processes through the
send_slots table: see storage.outbox.take_send_turn), and records each result in its own
short transaction right after its send.
Any number of sweeps may run at once: a message is claimed by one of them only.

What happens to a message:
- accepted by Twilio: delivery "sent", with its MessageSid, Twilio's status, sent_via and sent_at;
- Twilio busy or unreachable (429, 5xx, time-out): back to "pending", tried again after an
  exponential backoff with jitter (30 s, 1 min, 2 min … at most 1 h, ±20 %), and marked
  "failed" after max_attempts tries;
- refused for good (21211 invalid number, 21614 landline, 21408 …): "failed" at once, with the
  reason for officers; 21610 (opted out) and 63014 (blocked) also opt the conversation out;
- to an opted-out number: "skipped", nothing sent.
WhatsApp carries free text only within 24 hours of the citizen's last message. Outside them
a message goes as the office's approved template for its kind (ContentSid, ContentVariables),
else as SMS from the office's sms_sender, else it fails with the reason. A 63016 answer
(Twilio's "outside the window"), at once or later in a status callback, takes the same way.

Everything reads the `now` passed in, plus the real time elapsed since the sweep started, so
`hotline jobs run-due --now …` moves claims, backoff and the window while sends stay spaced in
real time.

The one window where a message can go twice: Twilio accepted it, and the process dies (or the
database is unreachable for the whole record retry) before the MessageSid is recorded. The row
stays "sending"; when its lease (LEASE, 5 minutes) has passed another sweep claims and sends it
again. The window is as small as we can make it without Twilio idempotency keys: the result is
recorded right after each send (one HTTP answer plus one single-row UPDATE, milliseconds), not
after the batch, and the record is retried for about 8 s when the database falters. A read
time-out is the same window seen from the living process: Twilio may have accepted a request
whose answer never came, and the retry sends it again. A sweep never sends on a claim it could
outlive: it gives back what it has not sent once less than SEND_MARGIN of the lease is left,
so no two live sweeps send the same message. Delivery is therefore at least once, never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import string
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from conversations.catalogue import MESSAGES
from conversations.channels import Channel, fit_to_channel, in_whatsapp_window
from scheduler.transport import SendError, SendResult, Transport
from storage.db import Database
from storage.outbox import (
    ERRORS,
    OUTSIDE_WINDOW,
    ClaimedMessage,
    claim_due,
    describe_error,
    finish_send_turn,
    opt_out,
    record_failed,
    record_retry,
    record_sent,
    record_skipped,
    release,
    take_send_turn,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long a claim holds: a sweep that dies leaves its messages to others after this.
LEASE = dt.timedelta(minutes=5)
# No send starts with less of the lease left than this (more than a send's HTTP time-out).
SEND_MARGIN = dt.timedelta(seconds=30)
# A send start further ahead than this was recorded by a sweep on another clock (a made-up --now).
SLOT_HORIZON = dt.timedelta(minutes=1)
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
BACKOFF_JITTER = 0.2
# Waits before retrying to record a result when the database falters (about 8 s in all).
RECORD_RETRY_WAITS = (0.2, 0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True)
class Route:
    """How one message goes: channel, addresses, and text or template."""

    via: str  # whatsapp, whatsapp_template, sms: recorded in sent_via
    channel: Channel
    to: str  # E.164
    from_: str  # E.164
    body: str | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None


class _LeaseEnding(Exception):
    """The claim would run out before this send ends: give the rest back."""


def deliver_due(
    db: Database,
    now: dt.datetime,
    transport: Transport,
    *,
    public_url: str | None,
    send_rate: float = 10,
    max_attempts: int = 8,
    batch: int = 50,
    lease: dt.timedelta = LEASE,
) -> int:
    """Send every queued message due at `now`, record each result, and return how many were sent.

    `lease` is how long a claim holds (see the module's notes); it must be well over SEND_MARGIN,
    or nothing is sent.
    """
    started = time.monotonic()

    def clock() -> dt.datetime:
        return now + dt.timedelta(seconds=time.monotonic() - started)

    status_callback = f"{public_url.rstrip('/')}/twilio/status" if public_url else None
    margin = max(SEND_MARGIN, dt.timedelta(seconds=2 * (getattr(transport, "timeout", 0) or 0)))
    sent = 0
    opted_out: set[int] = set()  # conversations Twilio said opted out during this sweep
    while True:
        claims = db.run(
            lambda session: claim_due(session, clock(), lease=lease, batch=batch, max_attempts=max_attempts)
        )
        if not claims:
            return sent
        for index, claim in enumerate(claims):
            try:
                if clock() + margin >= claim.lease:
                    raise _LeaseEnding
                if claim.conversation_id in opted_out:
                    # Claimed before the number opted out: skipped, like the rest of its messages.
                    _store(db, lambda session: record_skipped(session, claim))
                    continue
                sent += _deliver(
                    db, claim, transport, clock, status_callback, send_rate, margin, max_attempts, opted_out
                )
            except _LeaseEnding:
                rest = claims[index:]
                _store(db, lambda session: release(session, rest, clock()))
                log.warning("delivery: %d claimed messages given back, the claim was running out", len(rest))
                return sent


def _deliver(
    db: Database,
    claim: ClaimedMessage,
    transport: Transport,
    clock: Callable[[], dt.datetime],
    status_callback: str | None,
    rate: float,
    margin: dt.timedelta,
    max_attempts: int,
    opted_out: set[int],
) -> int:
    """Send one claimed message (by a fallback when WhatsApp refuses free text); return 1 if sent."""
    note: tuple[int | None, str | None] = (None, None)  # kept with a sent message: why it went this way
    if claim.error_code == OUTSIDE_WINDOW:
        note = (OUTSIDE_WINDOW, describe_error(OUTSIDE_WINDOW))
    route = choose_route(claim, clock())
    while True:
        if route is None:
            reason = no_route_reason(claim)
            _store(db, lambda session: record_failed(session, claim, error_code=note[0], error_message=reason))
            log.warning("message %d failed: no way to send it outside WhatsApp's window", claim.id)
            return 0
        try:
            result = _send(db, transport, route, clock, status_callback, rate, claim, margin)
        except SendError as error:
            if error.outside_window and route.via == "whatsapp":
                note = (OUTSIDE_WINDOW, describe_error(OUTSIDE_WINDOW))
                route = fallback_route(claim)
                continue
            _record_error(db, claim, error, clock(), max_attempts)
            if error.opted_out:
                opted_out.add(claim.conversation_id)
            return 0
        except _LeaseEnding:
            raise
        except Exception as error:  # a bug must not stop the sweep: retry this one later
            log.exception("message %d: unexpected error while sending", claim.id)
            _record_error(
                db, claim, SendError(None, None, f"internal error ({type(error).__name__})"), clock(), max_attempts
            )
            return 0
        via, channel = route.via, route.channel
        recorded = _store(
            db,
            lambda session: record_sent(
                session,
                claim,
                sid=result.sid,
                status=result.status,
                via=via,
                channel=channel,
                now=clock(),
                error_code=note[0],
                error_message=note[1],
            ),
        )
        if not recorded:
            log.error("message %d sent (%s) but its claim had passed to another sweep", claim.id, result.sid)
        log.info("message %d sent via %s as %s", claim.id, via, result.sid)
        return 1


def _send(
    db: Database,
    transport: Transport,
    route: Route,
    clock: Callable[[], dt.datetime],
    status_callback: str | None,
    rate: float,
    claim: ClaimedMessage,
    margin: dt.timedelta,
) -> SendResult:
    """Wait for the sender's turn (storage.outbox.take_send_turn), then send."""
    # A WhatsApp sender and an SMS sender of the same number have separate rates.
    sender = f"{route.channel}:{route.from_}"
    while True:
        # In real time, whatever the sweep's `now`: the rate is Twilio's, and every process's
        # real clock is the same one (a made-up --now differs from one process to the next).
        turn = db.run(
            lambda session: take_send_turn(session, sender, _real_now, rate=rate, horizon=SLOT_HORIZON),
            durable=False,
        )
        if turn.wait_until is None:
            break
        wait = max(0.0, (turn.wait_until - _real_now()).total_seconds())
        if clock() + dt.timedelta(seconds=wait) + margin >= claim.lease:
            raise _LeaseEnding
        time.sleep(wait)
    try:
        return transport.send(
            channel=route.channel,
            to=route.to,
            from_=route.from_,
            body=route.body,
            content_sid=route.content_sid,
            content_variables=route.content_variables,
            status_callback=status_callback,
        )
    finally:
        # Twilio has answered (or the send failed): the rate's next second counts from now.
        _finish_turn(db, sender, turn.started)


def _real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _finish_turn(db: Database, sender: str, started: float) -> None:
    try:
        db.run(lambda session: finish_send_turn(session, sender, started, _real_now), durable=False)
    except Exception:  # the send is done; an unrecorded answer only slows the sender a minute
        log.exception("delivery: could not record that a send to Twilio finished")


def _record_error(db: Database, claim: ClaimedMessage, error: SendError, now: dt.datetime, max_attempts: int) -> None:
    """Record a refused send: retry later, or fail (and opt out when the citizen did)."""
    reason = error_reason(error)
    if error.opted_out:

        def fail_and_opt_out(session: Session) -> None:
            if record_failed(session, claim, error_code=error.code, error_message=reason):
                opt_out(session, claim.conversation_id, now)

        _store(db, fail_and_opt_out)
        log.warning("message %d failed: Twilio error %s, the conversation is opted out", claim.id, error.code)
    elif not error.retryable:
        _store(db, lambda session: record_failed(session, claim, error_code=error.code, error_message=reason))
        log.warning("message %d failed: HTTP %s, Twilio error %s", claim.id, error.http_status, error.code)
    elif claim.attempts >= max_attempts:
        final = f"gave up after {claim.attempts} attempts: {reason}"
        _store(db, lambda session: record_failed(session, claim, error_code=error.code, error_message=final))
        log.warning(
            "message %d failed after %d attempts (HTTP %s, Twilio error %s)",
            claim.id,
            claim.attempts,
            error.http_status,
            error.code,
        )
    else:
        when = now + backoff(claim.attempts)
        _store(
            db,
            lambda session: record_retry(
                session, claim, next_attempt_at=when, error_code=error.code, error_message=reason
            ),
        )
        log.info(
            "message %d: attempt %d refused (HTTP %s, Twilio error %s), next at %s",
            claim.id,
            claim.attempts,
            error.http_status,
            error.code,
            when.isoformat(),
        )


def choose_route(claim: ClaimedMessage, now: dt.datetime) -> Route | None:
    """Return how the message goes now: free text in WhatsApp's window, else a fallback (None: none)."""
    if claim.channel != Channel.WHATSAPP:
        # The citizen writes to the hotline by SMS, so it answers from the same number.
        return Route(
            via="sms",
            channel=Channel.SMS,
            to=claim.phone,
            from_=claim.office_hotline,
            body=fit_to_channel(claim.body, Channel.SMS),
        )
    if in_whatsapp_window(claim.last_inbound_at, now) and claim.error_code != OUTSIDE_WINDOW:
        return Route(
            via="whatsapp", channel=Channel.WHATSAPP, to=claim.phone, from_=claim.office_hotline, body=claim.body
        )
    return fallback_route(claim)


def fallback_route(claim: ClaimedMessage) -> Route | None:
    """Return the way outside WhatsApp's window: the office's template, else SMS, else None."""
    content_sid = template_sid(claim.office_templates, claim.kind, template_language(claim))
    if content_sid is not None:
        return Route(
            via="whatsapp_template",
            channel=Channel.WHATSAPP,
            to=claim.phone,
            from_=claim.office_hotline,
            content_sid=content_sid,
            content_variables=content_variables(claim.template),
        )
    if claim.office_sms_sender:
        return Route(
            via="sms",
            channel=Channel.SMS,
            to=claim.phone,
            from_=claim.office_sms_sender,
            body=fit_to_channel(claim.body, Channel.SMS),
        )
    return None


def no_route_reason(claim: ClaimedMessage) -> str:
    """Say, for officers, why a message could not go at all."""
    return (
        f"outside WhatsApp's 24-hour window and no template for {claim.kind or 'this message'} "
        "(and the office has no sms_sender)"
    )


def template_language(claim: ClaimedMessage) -> str:
    """Return the language the message's params were made in (the conversation's, when queued)."""
    template = claim.template or {}
    return template.get("lang") or claim.language or "id"


def template_sid(templates: Mapping[str, Any], kind: str | None, language: str) -> str | None:
    """Return the office's ContentSid for a kind in a language, else in Indonesian, else None."""
    by_language = templates.get(kind or "") or {}
    if not isinstance(by_language, Mapping):
        return None
    return by_language.get(language) or by_language.get("id") or None


def content_variables(template: Mapping[str, Any] | None) -> dict[str, str]:
    """Number a message's params for its WhatsApp template: {"1": …, "2": …}.

    The numbers follow the order in which the placeholders first appear in the message's
    Indonesian catalogue text, whatever the language sent (the English template uses the same
    numbers). A message not in the catalogue numbers its params in the order they were given.
    WhatsApp refuses an empty variable, so an empty value is sent as "-".
    """
    if not template:
        return {}
    params = template.get("params") or {}
    texts = MESSAGES.get(template.get("message") or "")
    names = placeholder_order(texts["id"]) if texts and "id" in texts else list(params)
    return {str(number): str(params.get(name, "")).strip() or "-" for number, name in enumerate(names, 1)}


def placeholder_order(text: str) -> list[str]:
    """Return the names of a text's {placeholders}, each once, in the order they first appear."""
    names: list[str] = []
    for _, field, _, _ in string.Formatter().parse(text):
        if field:
            name = field.split(".", 1)[0].split("[", 1)[0]
            if name not in names:
                names.append(name)
    return names


def error_reason(error: SendError) -> str:
    """Return the reason officers see for a refused send."""
    if error.code in ERRORS:
        return describe_error(error.code)
    if error.http_status is None:
        return error.message
    return f"HTTP {error.http_status}, Twilio error {error.code}: {error.message}"


def backoff(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """Return the wait after a failed attempt: 30 s doubled each attempt, at most 1 h, ±20 %."""
    base = min(BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 16), BACKOFF_CAP)
    jitter = (rng or random).uniform(1 - BACKOFF_JITTER, 1 + BACKOFF_JITTER)
    return base * jitter


def _store(db: Database, work: Callable[[Session], T]) -> T:
    """Run a short recording transaction, retried for a few seconds while the database falters."""
    for wait in (*RECORD_RETRY_WAITS, None):
        try:
            return db.run(work)
        except (OperationalError, InterfaceError):
            if wait is None:
                raise
            log.warning("delivery: the database did not answer, retrying the record in %.1f s", wait)
            time.sleep(wait)
    raise AssertionError("unreachable")
