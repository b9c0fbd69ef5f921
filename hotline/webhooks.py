"""Twilio's webhooks: inbound messages (SMS and WhatsApp), status callbacks, and the health check."""

from __future__ import annotations

import logging
import re
import time

from flask import Blueprint, Response, current_app, g, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hotline import arrival, database, limits, now
from hotline.addresses import parse_address
from hotline.dialogue import IncomingMessage, receive
from hotline.signatures import twilio_signed
from hotline.twiml import messaging_response
from storage.migrate import schema_is_current
from storage.offices import office_by_hotline
from storage.outbox import record_status

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)

SID_RE = re.compile(r"[A-Za-z]{2}[0-9a-fA-F]{32}")
STATUS_RE = re.compile(r"[a-z_]{1,20}")


@bp.post("/twilio/inbound")
@twilio_signed
def inbound() -> Response:
    """Answer a citizen's message (SMS or WhatsApp) in TwiML."""
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    sender = parse_address(form.get("From", ""))
    hotline = parse_address(form.get("To", ""))
    if not SID_RE.fullmatch(sid) or sender is None or hotline is None:
        return Response("MessageSid, From and To are required and must be valid\n", status=400, mimetype="text/plain")
    channel, phone = sender
    try:
        num_media = max(0, min(int(form.get("NumMedia") or 0), 10))
    except ValueError:
        num_media = 0
    message = IncomingMessage(sid=sid, phone=phone, channel=channel, body=form.get("Body") or "", num_media=num_media)

    config = current_app.config
    arrived = arrival()
    reply_by = arrived + config["REPLY_LATE_SECONDS"]

    def late() -> bool:
        # Twilio waits rt (12 s) for the answer: a reply ready later goes through the outbox.
        return time.monotonic() > reply_by

    def answer(session) -> list[str] | None:
        office = office_by_hotline(session, hotline[1])
        if office is None:
            return None
        return receive(session, office, message, now(), limits(), late=late)

    try:
        replies = database().run(answer, deadline=arrived + config["WEBHOOK_DEADLINE_SECONDS"])
    except OperationalError:
        # Nothing was stored: Twilio delivers the message again (the URL's connection overrides
        # ask it to retry on a 5xx), and that delivery is handled as the first.
        log.exception("inbound message not handled: the database is unavailable or busy past the deadline")
        return Response("try again later\n", status=503, mimetype="text/plain")
    if replies is None:
        g.outcome = "unknown hotline"
        return Response("no office has this hotline number\n", status=404, mimetype="text/plain")
    g.outcome = f"{len(replies)} replies"
    return messaging_response(replies)


@bp.post("/twilio/status")
@twilio_signed
def status_callback() -> Response:
    """Store the MessageStatus Twilio reports for an outbound message, never moving it backwards."""
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not SID_RE.fullmatch(sid) or not STATUS_RE.fullmatch(status):
        return Response(
            "MessageSid and MessageStatus are required and must be valid\n", status=400, mimetype="text/plain"
        )
    raw_code = (form.get("ErrorCode") or "").strip()
    error_code = int(raw_code) if raw_code.isdigit() and len(raw_code) <= 9 else None
    try:
        outcome = database().run(
            lambda session: record_status(session, sid, status, error_code, now()),
            deadline=arrival() + current_app.config["WEBHOOK_DEADLINE_SECONDS"],
        )
    except OperationalError:
        log.exception("status callback not stored: the database is unavailable")
        return Response("try again later\n", status=503, mimetype="text/plain")
    if not outcome.found:
        # 200 all the same: Twilio would only retry a message that is not ours (or not recorded).
        log.info("status callback for an unknown MessageSid %s ignored", sid)
    elif outcome.requeued:
        log.info("message %s refused outside WhatsApp's window: queued again for a template or SMS", sid)
    return Response("", status=200, mimetype="text/plain")


@bp.get("/readyz")
def readyz() -> Response:
    """Answer 200 when the hotline can serve: the database answers and has every migration."""
    try:
        with database().reading() as session:
            current = schema_is_current(session.connection())
    except Exception:  # any failure to reach the database is "not ready", not a 500
        log.exception("readiness check: database unreachable")
        return Response("database unreachable\n", status=503, mimetype="text/plain")
    if not current:
        log.error("readiness check: the database lacks migrations of this code: run `hotline init`")
        return Response("database schema out of date: run `hotline init`\n", status=503, mimetype="text/plain")
    return Response("ready\n", mimetype="text/plain")


@bp.get("/healthz")
def healthz() -> Response:
    """Answer 200 when the database answers, 503 otherwise (the process is alive: /readyz says more)."""
    try:
        with database().reading() as session:  # never queues behind a writer for SQLite's lock
            session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is "unhealthy", not a 500
        log.exception("health check: database unreachable")
        return Response("database unreachable\n", status=503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")
