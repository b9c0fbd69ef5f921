"""The officers' shared inbox: the list, a thread, and what an officer does in it.

Every page needs a signed-in officer and shows only the conversations of their offices (any
other answers 404). Every action is a POST form with a CSRF token that redirects back to the
page (POST-redirect-GET); storage/inbox.py decides and records, one transaction per request.
hotline/static/inbox.js polls the small JSON endpoints so new messages appear without a
reload; without JavaScript every page works the same, a reload away.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask import session as session_cookie
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from conversations.vocabulary import CURRENT
from hotline import database, now
from hotline.auth import login_required, office_ids_for
from hotline.i18n import t
from storage import inbox
from storage.inbox import VIEWS, InboxError
from storage.models import Booking, Conversation, DeliveryState, Office, Officer, OfficerOffice, OfficerRole
from storage.offices import DEFAULT_TIMEZONE

bp = Blueprint("inbox", __name__)

PAGE_ROWS = 50
POLL_SECONDS = 5


@bp.app_template_filter("local_time")
def local_time(instant: dt.datetime | None, zone: str | None = None) -> str:
    """Format an instant as the office's wall clock: "14:05" today, "30/11 14:05" another day."""
    if instant is None:
        return ""
    try:
        tz = ZoneInfo(zone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    local = instant.astimezone(tz)
    if local.date() == now().astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m/%Y %H:%M")


@bp.context_processor
def _page_helpers() -> dict[str, Any]:
    return {"delivery_words": _delivery_words, "booking_statuses": CURRENT}


def _officer(session: Session) -> Officer:
    officer = session.get(Officer, current_user.id)
    if officer is None:  # deleted a moment ago; the next request signs them out
        abort(404)
    return officer


def _conversation(session: Session, conversation_id: int) -> Conversation:
    """Return the conversation if the signed-in officer serves its office, else abort with 404."""
    conversation = inbox.conversation_in(session, office_ids_for(current_user), conversation_id)
    if conversation is None:
        abort(404)
    return conversation


def _view() -> str:
    view = request.args.get("view", "waiting")
    return view if view in VIEWS else "waiting"


REASONS = (
    "not_found",
    "bad_nonce",
    "empty",
    "too_long",
    "opted_out",
    "assigned_to_other",
    "inactive_assignee",
    "assignee_not_in_office",
)


def _refused(error: InboxError) -> None:
    flash(t(f"inbox.error.{error.reason}" if error.reason in REASONS else "inbox.error.other"), "error")


def _back(conversation_id: int, **args: Any):
    return redirect(url_for("inbox.conversation", conversation_id=conversation_id, **args))


# --- the list ---------------------------------------------------------------------------------


def _rows(session: Session, view: str, before: str | None) -> list[inbox.InboxRow]:
    try:
        return inbox.conversations_for(
            session,
            office_ids_for(current_user),
            view=view,  # type: ignore[arg-type]
            officer=_officer(session),
            now=now(),
            limit=PAGE_ROWS,
            before=before,
        )
    except InboxError:
        abort(400)


@bp.get("/inbox")
@login_required
def conversations():
    view = _view()
    before = request.args.get("before") or None
    with database().reading() as session:
        rows = _rows(session, view, before)
        waiting = len(_rows(session, "waiting", None)) if view != "waiting" else len(rows)
        zones = dict(session.execute(select(Office.id, Office.timezone)).all())
    return render_template(
        "inbox/list.html",
        rows=rows,
        zones=zones,
        view=view,
        views=VIEWS,
        before=before,
        waiting=waiting,
        next_cursor=rows[-1].cursor if len(rows) == PAGE_ROWS else None,
        poll_seconds=POLL_SECONDS,
    )


@bp.get("/inbox/updates.json")
@login_required
def conversations_updates():
    """Answer what the list's polling needs: the first rows' ids, activity and unread counts."""
    view = _view()
    with database().reading() as session:
        rows = _rows(session, view, None)
    return jsonify(
        view=view,
        conversations=[
            {
                "id": row.conversation_id,
                "last_activity_at": row.last_activity_at.isoformat(),
                "unread": row.unread,
                "replying": row.replying_officer,
            }
            for row in rows
        ],
    )


# --- a conversation ---------------------------------------------------------------------------


def _colleagues(session: Session, office_id: int) -> list[tuple[int, str]]:
    """Return (id, username) of the active officers who serve the office, admins included."""
    serving = select(OfficerOffice.officer_id).where(OfficerOffice.office_id == office_id)
    return [
        (row[0], row[1])
        for row in session.execute(
            select(Officer.id, Officer.username)
            .where(Officer.active.is_(True), or_(Officer.id.in_(serving), Officer.role == OfficerRole.ADMIN))
            .order_by(Officer.username)
        )
    ]


def _booking_for(session: Session, thread: inbox.Thread, booking_id: int | None) -> Booking | None:
    """Return the booking the canned reply speaks of: the one chosen, else the next one to come."""
    ids = [line.id for line in thread.bookings]
    if booking_id in ids:
        return session.get(Booking, booking_id)
    return session.get(Booking, ids[0]) if ids else None


def _draft_key(conversation_id: int) -> str:
    return f"inbox.draft.{conversation_id}"


def _mark_read(conversation_id: int, up_to_message_id: int) -> None:
    """Mark the conversation read up to a message, in a transaction of its own: a page or a poll
    reads without the write lock and writes only when a message came since the officer's last look."""
    with database().transaction() as session:
        inbox.mark_read(session, _officer(session), conversation_id, up_to_message_id)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/inbox/<int:conversation_id>")
@login_required
def conversation(conversation_id: int):
    canned_id = _int_arg("canned")
    with database().reading() as session:
        officer = _officer(session)
        found = _conversation(session, conversation_id)
        instant = now()
        thread = inbox.thread(session, found.id, instant)
        unread = inbox.read_up_to(session, officer, found.id) < thread.last_message_id
        office = session.get(Office, found.office_id)
        canned = inbox.canned_replies(session, found.office_id, found.language)
        draft = session_cookie.pop(_draft_key(found.id), "")
        chosen = next((c for c in canned if c.id == canned_id), None)
        if chosen is not None:
            draft = inbox.render_canned(
                chosen, found, _booking_for(session, thread, _int_arg("booking")), office=office
            )
        colleagues = _colleagues(session, found.office_id)
        page = {
            "thread": thread,
            "phone": found.phone,
            "office": office,
            "canned": canned,
            "canned_id": canned_id,
            "draft": draft,
            "colleagues": colleagues,
            "me": officer.id,
            "templates": bool((office.whatsapp_templates or {}).get("officer")) if office else False,
            "sms_fallback": bool(office.sms_sender) if office else False,
        }
    if unread:
        _mark_read(found.id, thread.last_message_id)
    return render_template(
        "inbox/conversation.html", nonce=secrets.token_urlsafe(18), poll_seconds=POLL_SECONDS, **page
    )


def _entry_json(entry: inbox.ThreadEntry, zone: str | None) -> dict[str, Any]:
    meta = [_author_words(entry), local_time(entry.at, zone)]
    if entry.channel:
        meta.append(t(f"inbox.channel.{entry.channel}"))
    return {
        "kind": entry.kind,
        "id": entry.id,
        "at": entry.at.isoformat(),
        "body": entry.body,
        "direction": entry.direction,
        "author": entry.author,
        "officer": entry.officer,
        "channel": entry.channel,
        "delivery": _delivery_words(entry),
        "meta": " · ".join(meta),
    }


def _author_words(entry: inbox.ThreadEntry) -> str:
    if entry.kind == "note":
        return t("inbox.note_by", officer=entry.officer or "?")
    if entry.author == "officer":
        return t("inbox.author.officer_named", officer=entry.officer or "?")
    return t(f"inbox.author.{entry.author}") if entry.author in ("citizen", "bot", "system") else entry.author


def _delivery_words(entry: inbox.ThreadEntry) -> str | None:
    """Return how far an outbound message got, in words, or None for what has no delivery."""
    if entry.kind != "message" or entry.direction != "out":
        return None
    status = entry.status
    if status in ("read", "delivered", "undelivered", "failed") and entry.delivery != DeliveryState.FAILED:
        return t(f"inbox.status.{status}")
    if entry.delivery in tuple(DeliveryState):
        return t(f"inbox.delivery.{entry.delivery}")
    return t("inbox.delivery.twiml")  # a bot's answer, sent as the webhook's reply


@bp.get("/inbox/<int:conversation_id>/updates.json")
@login_required
def conversation_updates(conversation_id: int):
    """Answer the thread's polling: messages after `after`, delivery of every outbound one, who replies."""
    after = _int_arg("after") or 0
    with database().reading() as session:
        officer = _officer(session)
        found = _conversation(session, conversation_id)
        thread = inbox.thread(session, found.id, now())
        unread = inbox.read_up_to(session, officer, found.id) < thread.last_message_id
        zone = session.scalar(select(Office.timezone).where(Office.id == found.office_id))
    if unread:
        _mark_read(found.id, thread.last_message_id)
    messages = [e for e in thread.entries if e.kind == "message"]
    return jsonify(
        conversation_id=thread.conversation_id,
        last_message_id=thread.last_message_id,
        messages=[_entry_json(e, zone) for e in messages if e.id > after],
        delivery={str(e.id): _delivery_words(e) for e in messages if e.direction == "out"},
        replying=thread.replying_officer if thread.replying_officer_id not in (None, officer.id) else None,
        replying_text=(
            t("inbox.replying_now", officer=thread.replying_officer)
            if thread.replying_officer_id not in (None, officer.id)
            else None
        ),
        handover=thread.handover,
        window_open=thread.window_open,
    )


def _act(conversation_id: int, action, success_key: str, *args: Any, unchanged_key: str | None = None) -> bool:
    """Run one storage action on the conversation in a transaction; flash the outcome."""
    try:
        with database().transaction() as session:
            officer = _officer(session)
            found = _conversation(session, conversation_id)
            changed = action(session, officer, found, *args)
    except InboxError as error:
        _refused(error)
        return False
    flash(t(success_key if changed or unchanged_key is None else unchanged_key), "success")
    return True


@bp.post("/inbox/<int:conversation_id>/take-over")
@login_required
def take_over(conversation_id: int):
    _act(
        conversation_id,
        lambda s, o, c: inbox.take_over(s, o, c, now()),
        "inbox.done.take_over",
        unchanged_key="inbox.done.take_over_already",
    )
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/hand-back")
@login_required
def hand_back(conversation_id: int):
    _act(
        conversation_id,
        lambda s, o, c: inbox.hand_back(s, o, c, now()),
        "inbox.done.hand_back",
        unchanged_key="inbox.done.hand_back_already",
    )
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/resolve")
@login_required
def resolve(conversation_id: int):
    done = _act(
        conversation_id,
        lambda s, o, c: inbox.resolve(s, o, c, now()),
        "inbox.done.resolve",
        unchanged_key="inbox.done.resolve_already",
    )
    return redirect(url_for("inbox.conversations")) if done else _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/assign")
@login_required
def assign(conversation_id: int):
    raw = request.form.get("officer_id", "")
    if raw != "" and not raw.isdigit():
        abort(400)

    def give(session: Session, officer: Officer, found: Conversation) -> bool:
        assignee = None
        if raw:
            assignee = session.get(Officer, int(raw))
            if assignee is None:
                raise InboxError("assignee_not_in_office")
        return inbox.assign(session, officer, found, assignee, now())

    _act(
        conversation_id, give, "inbox.done.assign" if raw else "inbox.done.unassign", unchanged_key="inbox.done.nothing"
    )
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/reply")
@login_required
def reply(conversation_id: int):
    body = request.form.get("body", "")
    nonce = request.form.get("nonce", "")
    try:
        with database().transaction() as session:
            officer = _officer(session)
            found = _conversation(session, conversation_id)
            inbox.reply(session, officer, found, body, now(), nonce=nonce)
    except InboxError as error:
        _refused(error)
        # Keep what the officer typed (in the signed session, not the URL): the page shows it again.
        session_cookie[_draft_key(conversation_id)] = body[:1500]
        return _back(conversation_id)
    flash(t("inbox.done.reply"), "success")
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/note")
@login_required
def note(conversation_id: int):
    body = request.form.get("body", "")
    try:
        with database().transaction() as session:
            officer = _officer(session)
            inbox.add_note(session, officer, _conversation(session, conversation_id), body, now())
    except InboxError as error:
        _refused(error)
    else:
        flash(t("inbox.done.note"), "success")
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/replying")
@login_required
def replying(conversation_id: int):
    """Show the officer as replying for a minute (inbox.js calls this while they type)."""
    with database().transaction() as session:
        officer = _officer(session)
        other = inbox.start_replying(session, officer, _conversation(session, conversation_id), now())
        name = other.username if other is not None else None
    return jsonify(other=name, text=t("inbox.replying_now", officer=name) if name else None)
