"""The citizen simulator (demo mode only): text the bot in the browser, as the webhook would be texted.

A message goes through hotline.dialogue.receive exactly like Twilio's webhook and `hotline
chat` (same code, same database, a made-up MessageSid), so the conversation appears in the
officers' inbox. Outside demo mode every page here answers 404.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from hotline import database, limits, now
from hotline.addresses import parse_address
from hotline.dialogue import IncomingMessage, receive
from hotline.i18n import t
from hotline.security import csrf
from storage import inbox
from storage.models import Conversation, Office
from storage.offices import all_offices

bp = Blueprint("simulator", __name__)
# Checked below, after the demo check: outside demo mode a POST is 404, not a CSRF refusal.
csrf.exempt(bp)

DEFAULT_PHONE = "081200000001"
CHANNELS = ("whatsapp", "sms")
MAX_MESSAGE = 1000


@bp.before_request
def _demo_only() -> None:
    if not current_app.config.get("DEMO"):
        abort(404)
    if request.method == "POST":
        csrf.protect()


def _office(session, code: str | None) -> Office:
    offices = all_offices(session)
    if not offices:
        abort(404)
    return next((o for o in offices if o.code == code), offices[0])


@bp.get("/simulator")
def page():
    phone_text = request.args.get("phone", DEFAULT_PHONE)[:40]
    channel = request.args.get("channel", "whatsapp")
    channel = channel if channel in CHANNELS else "whatsapp"
    with database().reading() as session:
        office = _office(session, request.args.get("office"))
        offices = [(o.code, o.name) for o in all_offices(session)]
        entries = []
        parsed = parse_address(phone_text)
        if parsed is not None:
            conversation = session.scalar(
                select(Conversation).where(Conversation.office_id == office.id, Conversation.phone == parsed[1])
            )
            if conversation is not None:
                # Messages only: the officers' private notes never reach the citizen.
                entries = [e for e in inbox.thread(session, conversation.id, now()).entries if e.kind == "message"]
        office_code = office.code
    return render_template(
        "simulator.html",
        phone=phone_text,
        channel=channel,
        office_code=office_code,
        offices=offices,
        entries=entries,
        channels=CHANNELS,
    )


@bp.post("/simulator")
def send():
    phone_text = request.form.get("phone", "")[:40]
    channel = request.form.get("channel", "whatsapp")
    channel = channel if channel in CHANNELS else "whatsapp"
    body = request.form.get("message", "")[:MAX_MESSAGE]
    office_code = request.form.get("office") or None
    parsed = parse_address(phone_text)
    if parsed is None:
        flash(t("simulator.bad_phone"), "error")
    elif not body.strip():
        flash(t("simulator.empty"), "error")
    else:
        # The webhook's path: one transaction, the bot's replies stored beside the message.
        message = IncomingMessage(sid="SM" + uuid.uuid4().hex, phone=parsed[1], channel=channel, body=body)
        with database().transaction() as session:
            office = _office(session, office_code)
            office_code = office.code
            receive(session, office, message, now(), limits())
    return redirect(url_for("simulator.page", phone=phone_text, channel=channel, office=office_code))
