"""The officers' shared inbox: the list, a thread, taking over from the bot, replies and notes.

Every function takes the caller's Session and never commits; the page opens one transaction
per request. Office scoping is the caller's: pass the offices the signed-in officer serves
(None for an admin) to `conversations_for`, and load a conversation with `conversation_in`.
Refusals raise InboxError with a short reason the page can translate.

How a conversation moves (all but `reply` and the presence functions write an audit event):

- A citizen's PETUGAS turns handover on: hotline/dialogue.py sets waiting_since, and the
  conversation is in the "waiting" view until an officer takes it.
- `take_over`: the officer has it. Handover on (the bot is silent, as after PETUGAS; it only
  still acts on a YA or BATAL answering a reminder), the conversation goes back to the menu
  and any place it holds is given back (the draft would be useless, and a lapsed hold's notice
  must not come from the bot meanwhile), assigned to the officer, no longer waiting.
- `reply`: the officer's words, queued in the outbox. Replying to a conversation nobody has
  takes it over first (an officer and the bot must not both answer), with its own audit event.
- `assign`: gives the conversation to an officer (None: to nobody) without changing who talks,
  so a supervisor can route a conversation the bot still handles; it leaves the waiting view.
- `hand_back`: the bot answers again from the menu; the conversation belongs to nobody.
- `resolve`: done. Resolving also hands back to the bot: a resolved conversation left silent
  would swallow the citizen's next message. A new message from the citizen reopens it
  (hotline/dialogue.py clears resolved_at); it waits again only if they ask for PETUGAS.

Who may act: a conversation assigned to an officer is theirs. Another plain officer may read
it, but take_over, reply, assign, hand_back and resolve refuse with "assigned_to_other";
supervisors and admins may step in (a supervisor's reply to a conversation another officer
has in hand, handover on, leaves it assigned to that officer).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from conversations.channels import in_whatsapp_window, without_control
from conversations.dates import format_date
from conversations.nik import mask_nik, mask_niks
from conversations.state import Draft, Step
from storage import audit
from storage.audit import mask_phone
from storage.bookings import active_bookings, release_holds
from storage.calendar import office_today
from storage.conversations import load_state, save_state
from storage.db import upsert
from storage.models import (
    LEADS,
    Booking,
    CannedReply,
    Conversation,
    ConversationRead,
    Message,
    Note,
    Office,
    Officer,
    OfficerOffice,
    OfficerRole,
)
from storage.outbox import enqueue

__all__ = [
    "InboxError",
    "InboxRow",
    "Thread",
    "ThreadEntry",
    "BookingLine",
    "View",
    "conversations_for",
    "conversation_in",
    "thread",
    "read_up_to",
    "mark_read",
    "take_over",
    "hand_back",
    "assign",
    "resolve",
    "reply",
    "window_open",
    "canned_replies",
    "render_canned",
    "add_note",
    "start_replying",
    "stop_replying",
    "replying_now",
    "mask_phone",
    "mask_nik",
]

View = Literal["waiting", "mine", "all"]
VIEWS = ("waiting", "mine", "all")
REPLYING_FOR = dt.timedelta(seconds=60)  # how long "X is replying" lasts without a new ping
MAX_REPLY = 1600  # Twilio's limit for one SMS (in segments); WhatsApp's is larger
MAX_NOTE = 4000
MAX_NONCE = 100  # the dedupe key "officer:<nonce>" must fit in 120 characters
PREVIEW_CHARS = 120
MAX_ROWS = 200
VARIABLE = re.compile(r"\{([a-z_]+)\}")


class InboxError(Exception):
    """An inbox action refused; reason is a short code the page translates.

    Reasons: not_found, bad_view, bad_cursor, bad_nonce, empty, too_long, opted_out,
    assigned_to_other, inactive_assignee, assignee_not_in_office.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    """One conversation as the inbox list shows it."""

    conversation_id: int
    office_id: int
    phone: str  # masked: +62812****7890
    channel: str  # of the citizen's last message: whatsapp or sms
    profile_name: str | None  # WhatsApp's profile name, if Twilio gave one
    booking_name: str | None  # the name on the citizen's latest booking or hold at the office
    preview: str | None  # the start of the last message (NIKs masked)
    preview_author: str | None  # citizen, bot, officer or system
    last_activity_at: dt.datetime  # of the last message in or out
    unread: int  # the citizen's messages after what this officer has marked read
    handover: bool  # the bot is silent
    waiting_since: dt.datetime | None
    resolved_at: dt.datetime | None
    opted_out: bool
    assigned_officer_id: int | None
    assigned_officer: str | None  # username
    replying_officer_id: int | None  # an officer replying right now (any, the viewer included)
    replying_officer: str | None
    cursor: str  # pass as `before` to get the rows after this one

    @property
    def name(self) -> str | None:
        """Return the name to show: the booking's, else the WhatsApp profile's."""
        return self.booking_name or self.profile_name


def conversations_for(
    session: Session,
    office_ids: set[int] | None,
    *,
    view: View,
    officer: Officer,
    now: dt.datetime,
    limit: int = 50,
    before: str | None = None,
) -> list[InboxRow]:
    """Return the offices' conversations in a view (None: every office), newest activity first.

    "waiting": not resolved, not opted out, and waiting for an officer (waiting_since set, or
    handover on with nobody assigned); "mine": assigned to `officer` and not resolved; "all":
    every conversation. Unread counts are this officer's. One statement, however many rows.
    `before` is the cursor of the last row of the previous page; raise InboxError("bad_view")
    or InboxError("bad_cursor").
    """
    if view not in VIEWS:
        raise InboxError("bad_view")
    assigned, replying = aliased(Officer), aliased(Officer)
    read = aliased(ConversationRead)
    last = aliased(Message)
    last_id = (
        select(func.max(Message.id))
        .where(Message.conversation_id == Conversation.id)
        .correlate(Conversation)
        .scalar_subquery()
    )
    unread = (
        select(func.count(Message.id))
        .where(
            Message.conversation_id == Conversation.id,
            Message.direction == "in",
            Message.id > func.coalesce(read.last_message_id, 0),
        )
        .correlate(Conversation, read)
        .scalar_subquery()
    )
    booking_name = (
        select(Booking.name)
        .where(Booking.office_id == Conversation.office_id, Booking.phone == Conversation.phone)
        .order_by(Booking.id.desc())
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    live = and_(Conversation.replying_until.is_not(None), Conversation.replying_until > now)
    query = (
        select(
            Conversation,
            unread.label("unread"),
            booking_name.label("booking_name"),
            func.substr(last.body, 1, PREVIEW_CHARS).label("preview"),
            last.author.label("preview_author"),
            assigned.username.label("assigned_officer"),
            case((live, replying.id)).label("replying_officer_id"),
            case((live, replying.username)).label("replying_officer"),
        )
        .outerjoin(read, and_(read.conversation_id == Conversation.id, read.officer_id == officer.id))
        .outerjoin(last, last.id == last_id)
        .outerjoin(assigned, assigned.id == Conversation.assigned_officer_id)
        .outerjoin(replying, replying.id == Conversation.replying_officer_id)
    )
    if office_ids is not None:
        query = query.where(Conversation.office_id.in_(sorted(office_ids) or [-1]))
    if view == "waiting":
        query = query.where(
            Conversation.resolved_at.is_(None),
            Conversation.opted_out.is_(False),
            or_(
                Conversation.waiting_since.is_not(None),
                and_(Conversation.handover.is_(True), Conversation.assigned_officer_id.is_(None)),
            ),
        )
    elif view == "mine":
        query = query.where(Conversation.assigned_officer_id == officer.id, Conversation.resolved_at.is_(None))
    if before is not None:
        at, conversation_id = _parse_cursor(before)
        query = query.where(
            or_(
                Conversation.updated_at < at,
                and_(Conversation.updated_at == at, Conversation.id < conversation_id),
            )
        )
    query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    query = query.limit(max(1, min(limit, MAX_ROWS)))
    return [
        InboxRow(
            conversation_id=c.id,
            office_id=c.office_id,
            phone=mask_phone(c.phone),
            channel=c.channel,
            profile_name=c.profile_name,
            booking_name=row.booking_name,
            preview=mask_niks(row.preview) if row.preview is not None else None,
            preview_author=row.preview_author,
            last_activity_at=c.updated_at,
            unread=row.unread or 0,
            handover=c.handover,
            waiting_since=c.waiting_since,
            resolved_at=c.resolved_at,
            opted_out=c.opted_out,
            assigned_officer_id=c.assigned_officer_id,
            assigned_officer=row.assigned_officer,
            replying_officer_id=row.replying_officer_id,
            replying_officer=row.replying_officer,
            cursor=_cursor(c),
        )
        for row in session.execute(query)
        for c in (row.Conversation,)
    ]


def _cursor(conversation: Conversation) -> str:
    return f"{conversation.updated_at.astimezone(dt.UTC).isoformat()}/{conversation.id}"


def _parse_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at_text, id_text = cursor.rsplit("/", 1)
        at = dt.datetime.fromisoformat(at_text)
        if at.tzinfo is None:
            raise ValueError("naive")
        return at, int(id_text)
    except (ValueError, AttributeError):
        raise InboxError("bad_cursor") from None


def conversation_in(session: Session, office_ids: set[int] | None, conversation_id: int) -> Conversation | None:
    """Return the conversation if it belongs to one of the offices (None: any office), else None."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or (office_ids is not None and conversation.office_id not in office_ids):
        return None
    return conversation


# --- a thread ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadEntry:
    """A message or a private note, as the thread shows it."""

    kind: Literal["message", "note"]
    id: int
    at: dt.datetime
    body: str  # NIKs masked
    direction: str | None  # in, out (messages); None for notes
    author: str  # citizen, bot, officer, system; "officer" for notes
    officer_id: int | None  # who wrote it (officer messages and notes)
    officer: str | None  # username
    channel: str | None
    delivery: str | None  # outbox messages: pending, sending, sent, failed, skipped
    status: str | None  # Twilio's MessageStatus
    sent_via: str | None  # whatsapp, whatsapp_template, sms
    error: str | None  # why it failed or went another way, for officers


@dataclass(frozen=True)
class BookingLine:
    """One of the citizen's bookings still to come, as the thread's side panel shows it."""

    id: int
    code: str
    date: dt.date
    date_words: str  # in the conversation's language
    start: str
    end: str
    status: str
    service: str
    passport_type: str
    name: str
    nik: str | None  # masked


@dataclass(frozen=True)
class Thread:
    """A conversation with everything in it, for one officer's page."""

    conversation_id: int
    office_id: int
    phone: str  # masked
    channel: str
    language: str
    profile_name: str | None
    name: str | None  # the name on the latest booking, else the profile name
    handover: bool
    opted_out: bool
    waiting_since: dt.datetime | None
    resolved_at: dt.datetime | None
    assigned_officer_id: int | None
    assigned_officer: str | None
    replying_officer_id: int | None  # an officer replying right now, if any
    replying_officer: str | None
    window_open: bool  # False: only a WhatsApp template (or SMS) can carry a reply now
    last_message_id: int  # pass to mark_read
    entries: list[ThreadEntry]
    bookings: list[BookingLine]


def thread(session: Session, conversation_id: int, now: dt.datetime) -> Thread:
    """Return the conversation's messages (in order) with its notes by time, and its active bookings.

    Raise InboxError("not_found") for an unknown conversation.
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise InboxError("not_found")
    office = session.get(Office, conversation.office_id)
    assert office is not None
    messages = list(
        session.scalars(select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id))
    )
    notes = list(
        session.scalars(select(Note).where(Note.conversation_id == conversation.id).order_by(Note.created_at, Note.id))
    )
    officer_ids = {m.officer_id for m in messages} | {n.officer_id for n in notes}
    officer_ids |= {conversation.assigned_officer_id, conversation.replying_officer_id}
    names: dict[int | None, str] = dict(
        session.execute(
            select(Officer.id, Officer.username).where(Officer.id.in_([i for i in officer_ids if i is not None]))
        ).all()
    )
    bookings = active_bookings(session, office, conversation.phone, office_today(office, now))
    latest_name = session.scalar(
        select(Booking.name)
        .where(Booking.office_id == office.id, Booking.phone == conversation.phone)
        .order_by(Booking.id.desc())
        .limit(1)
    )
    replying = _replying_id(conversation, now)
    return Thread(
        conversation_id=conversation.id,
        office_id=office.id,
        phone=mask_phone(conversation.phone),
        channel=conversation.channel,
        language=conversation.language,
        profile_name=conversation.profile_name,
        name=latest_name or conversation.profile_name,
        handover=conversation.handover,
        opted_out=conversation.opted_out,
        waiting_since=conversation.waiting_since,
        resolved_at=conversation.resolved_at,
        assigned_officer_id=conversation.assigned_officer_id,
        assigned_officer=names.get(conversation.assigned_officer_id),
        replying_officer_id=replying,
        replying_officer=names.get(replying),
        window_open=window_open(conversation, now),
        last_message_id=messages[-1].id if messages else 0,
        entries=_interleave(messages, notes, names),
        bookings=[_booking_line(b, conversation.language) for b in bookings],
    )


def _interleave(messages: list[Message], notes: list[Note], names: dict[int | None, str]) -> list[ThreadEntry]:
    """Merge notes into the messages by time, keeping the messages' own order (a tie: message first)."""
    entries: list[ThreadEntry] = []
    pending = iter(notes)
    note = next(pending, None)
    for message in messages:
        while note is not None and note.created_at < message.created_at:
            entries.append(_note_entry(note, names))
            note = next(pending, None)
        entries.append(
            ThreadEntry(
                kind="message",
                id=message.id,
                at=message.created_at,
                body=mask_niks(message.body),
                direction=message.direction,
                author=message.author,
                officer_id=message.officer_id,
                officer=names.get(message.officer_id) if message.officer_id else None,
                channel=message.channel,
                delivery=message.delivery,
                status=message.status,
                sent_via=message.sent_via,
                error=message.error_message,
            )
        )
    while note is not None:
        entries.append(_note_entry(note, names))
        note = next(pending, None)
    return entries


def _note_entry(note: Note, names: dict[int | None, str]) -> ThreadEntry:
    return ThreadEntry(
        kind="note",
        id=note.id,
        at=note.created_at,
        body=mask_niks(note.body),
        direction=None,
        author="officer",
        officer_id=note.officer_id,
        officer=names.get(note.officer_id),
        channel=None,
        delivery=None,
        status=None,
        sent_via=None,
        error=None,
    )


def _booking_line(booking: Booking, language: str) -> BookingLine:
    return BookingLine(
        id=booking.id,
        code=booking.code,
        date=booking.date,
        date_words=format_date(booking.date, language),
        start=booking.session.start,
        end=booking.session.end,
        status=booking.status,
        service=booking.service,
        passport_type=booking.passport_type,
        name=booking.name,
        nik=mask_nik(booking.nik) if booking.nik else None,
    )


def read_up_to(session: Session, officer: Officer, conversation_id: int) -> int:
    """Return the last message the officer has marked read in the conversation (0: none)."""
    return (
        session.scalar(
            select(ConversationRead.last_message_id).where(
                ConversationRead.officer_id == officer.id, ConversationRead.conversation_id == conversation_id
            )
        )
        or 0
    )


def mark_read(session: Session, officer: Officer, conversation_id: int, up_to_message_id: int) -> int:
    """Record that the officer has read the conversation up to a message; return where they are now.

    Never moves back (an older page marking read later changes nothing) and never past the
    conversation's last message, in one atomic upsert.
    """
    newest = session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conversation_id)) or 0
    up_to = min(up_to_message_id, newest)
    if up_to > 0:
        upsert(
            session,
            ConversationRead,
            {"officer_id": officer.id, "conversation_id": conversation_id, "last_message_id": up_to},
            key=[ConversationRead.officer_id, ConversationRead.conversation_id],
            update=lambda excluded: {
                "last_message_id": case(
                    (excluded.last_message_id > ConversationRead.last_message_id, excluded.last_message_id),
                    else_=ConversationRead.last_message_id,
                )
            },
        )
    return (
        session.scalar(
            select(ConversationRead.last_message_id)
            .where(
                ConversationRead.officer_id == officer.id,
                ConversationRead.conversation_id == conversation_id,
            )
            .execution_options(populate_existing=True)
        )
        or 0
    )


# --- who has the conversation -----------------------------------------------------------------


def _lock(session: Session, conversation: Conversation) -> Conversation:
    """Lock the conversation row for this transaction and read it afresh (a citizen may be writing)."""
    locked = session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise InboxError("not_found")
    return locked


def _is_lead(officer: Officer) -> bool:
    return officer.role in LEADS


def _check_owner(officer: Officer, conversation: Conversation) -> None:
    """Refuse a plain officer acting on a conversation assigned to someone else."""
    owner = conversation.assigned_officer_id
    if owner is not None and owner != officer.id and not _is_lead(officer):
        raise InboxError("assigned_to_other")


def _set_handover(session: Session, conversation: Conversation, on: bool) -> int:
    """Turn handover on or off in the state and its mirror, back at the menu; return holds given back."""
    released = release_holds(session, conversation)
    save_state(conversation, dataclasses.replace(load_state(conversation), step=Step.MENU, draft=Draft(), handover=on))
    return released


def _subject(conversation: Conversation) -> str:
    return f"conversation:{conversation.id}"


def take_over(session: Session, officer: Officer, conversation: Conversation, now: dt.datetime) -> bool:
    """Give the conversation to the officer with the bot silent; return False if it was theirs already.

    Back at the menu, any held place given back, no longer waiting nor resolved. Raise
    InboxError("opted_out") or InboxError("assigned_to_other").
    """
    conversation = _lock(session, conversation)
    return _take_over(session, officer, conversation, now, via="take_over")


def _take_over(session: Session, officer: Officer, conversation: Conversation, now: dt.datetime, *, via: str) -> bool:
    if conversation.opted_out:
        raise InboxError("opted_out")
    _check_owner(officer, conversation)
    if (
        conversation.handover
        and conversation.assigned_officer_id == officer.id
        and conversation.resolved_at is None
        and conversation.waiting_since is None
    ):
        return False
    previous = conversation.assigned_officer_id
    released = _set_handover(session, conversation, True) if not conversation.handover else 0
    conversation.assigned_officer_id = officer.id
    conversation.waiting_since = None
    conversation.resolved_at = None
    details: dict[str, Any] = {"previous_officer_id": previous, "released_holds": released}
    if via != "take_over":
        details["via"] = via
    audit.record(session, officer, conversation.office_id, "take_over", _subject(conversation), details, now=now)
    return True


def hand_back(session: Session, officer: Officer, conversation: Conversation, now: dt.datetime) -> bool:
    """Give the conversation back to the bot at the menu, owned by nobody; False if the bot had it.

    Any held place is given back (there should be none: take_over released them and the bot
    makes none during a handover). The citizen is not told: the bot answers their next message.
    Raise InboxError("assigned_to_other").
    """
    conversation = _lock(session, conversation)
    _check_owner(officer, conversation)
    if not conversation.handover and conversation.assigned_officer_id is None and conversation.waiting_since is None:
        return False
    previous = conversation.assigned_officer_id
    released = _set_handover(session, conversation, False) if conversation.handover else 0
    _release(conversation)
    audit.record(
        session,
        officer,
        conversation.office_id,
        "hand_back",
        _subject(conversation),
        {"previous_officer_id": previous, "released_holds": released},
        now=now,
    )
    return True


def _release(conversation: Conversation) -> None:
    conversation.assigned_officer_id = None
    conversation.waiting_since = None
    conversation.replying_officer_id = None
    conversation.replying_until = None


def resolve(session: Session, officer: Officer, conversation: Conversation, now: dt.datetime) -> bool:
    """Mark the conversation done and hand it back to the bot; return False if it was resolved already.

    The citizen's next message reopens it (see hotline/dialogue.py). Raise
    InboxError("assigned_to_other").
    """
    conversation = _lock(session, conversation)
    _check_owner(officer, conversation)
    if conversation.resolved_at is not None:
        return False
    previous = conversation.assigned_officer_id
    released = _set_handover(session, conversation, False) if conversation.handover else 0
    _release(conversation)
    conversation.resolved_at = now
    audit.record(
        session,
        officer,
        conversation.office_id,
        "resolve",
        _subject(conversation),
        {"previous_officer_id": previous, "released_holds": released},
        now=now,
    )
    return True


def assign(
    session: Session,
    officer: Officer,
    conversation: Conversation,
    assignee: Officer | None,
    now: dt.datetime,
) -> bool:
    """Give the conversation to the assignee (None: to nobody) without changing who talks; False if no change.

    The assignee must be active and serve the conversation's office (an admin serves all).
    Assigned, it leaves the waiting view; unassigned during a handover, it waits again. Raise
    InboxError("assigned_to_other"), ("inactive_assignee") or ("assignee_not_in_office").
    """
    conversation = _lock(session, conversation)
    _check_owner(officer, conversation)
    if assignee is not None:
        if not assignee.active:
            raise InboxError("inactive_assignee")
        if not _serves(session, assignee, conversation.office_id):
            raise InboxError("assignee_not_in_office")
    new_id = assignee.id if assignee is not None else None
    if conversation.assigned_officer_id == new_id and (new_id is None or conversation.waiting_since is None):
        return False
    previous = conversation.assigned_officer_id
    conversation.assigned_officer_id = new_id
    if new_id is not None:
        conversation.waiting_since = None
    elif conversation.handover and conversation.resolved_at is None:
        conversation.waiting_since = now
    audit.record(
        session,
        officer,
        conversation.office_id,
        "assign",
        _subject(conversation),
        {"assignee_id": new_id, "previous_officer_id": previous},
        now=now,
    )
    return True


def _serves(session: Session, officer: Officer, office_id: int) -> bool:
    """Tell whether the officer serves the office (an admin serves every office)."""
    if officer.role == OfficerRole.ADMIN:
        return True
    return (
        session.scalar(
            select(literal(True)).where(OfficerOffice.officer_id == officer.id, OfficerOffice.office_id == office_id)
        )
        is not None
    )


# --- replies ----------------------------------------------------------------------------------


def window_open(conversation: Conversation, now: dt.datetime) -> bool:
    """Tell whether free text can reach the citizen now: SMS always, WhatsApp within 24 h of their last message."""
    if conversation.channel != "whatsapp":
        return True
    return in_whatsapp_window(conversation.last_inbound_at, now)


def _clean(text: str | None) -> str:
    return without_control(text).strip()


def reply(
    session: Session,
    officer: Officer,
    conversation: Conversation,
    body: str,
    now: dt.datetime,
    *,
    nonce: str,
) -> Message:
    """Queue the officer's reply to the citizen once per nonce; return it (the first one on a resubmit).

    A conversation the bot has, or nobody has, is taken over first (audited as take_over).
    The message goes through the outbox (kind "officer", author "officer"): within WhatsApp's
    window (or on SMS) as free text; outside it, delivery sends the office's approved
    "officer" template with the body as its one variable (newlines made spaces), else an SMS
    from the office's sms_sender, else marks it failed with the reason, which the thread shows.
    Raise InboxError("bad_nonce"), ("empty"), ("too_long"), ("opted_out") or ("assigned_to_other").
    """
    if not isinstance(nonce, str) or not 0 < len(nonce) <= MAX_NONCE:
        raise InboxError("bad_nonce")
    key = f"officer:{nonce}"
    conversation = _lock(session, conversation)
    earlier = session.scalar(select(Message).where(Message.dedupe_key == key))
    if earlier is not None:
        if earlier.conversation_id != conversation.id or earlier.officer_id != officer.id:
            raise InboxError("bad_nonce")
        return earlier
    text = _clean(body)
    if not text:
        raise InboxError("empty")
    if len(text) > MAX_REPLY:
        raise InboxError("too_long")
    if conversation.opted_out:
        raise InboxError("opted_out")
    _check_owner(officer, conversation)
    if not conversation.handover or conversation.assigned_officer_id is None or conversation.resolved_at:
        _take_over(session, officer, conversation, now, via="reply")
    # A WhatsApp template variable may hold no newline or tab.
    one_line = re.sub(r"\s+", " ", text)
    message = enqueue(
        session,
        conversation,
        kind="officer",
        message_id="officer_reply",
        params={"body": one_line},
        now=now,
        dedupe_key=key,
        author="officer",
        body=text,
    )
    if message is None:  # the same nonce committed meanwhile (the lock makes this unlikely)
        message = session.scalar(select(Message).where(Message.dedupe_key == key))
        assert message is not None
        return message
    message.officer_id = officer.id
    if conversation.replying_officer_id == officer.id:
        conversation.replying_officer_id = conversation.replying_until = None
    session.flush()
    audit.record(
        session,
        officer,
        conversation.office_id,
        "reply",
        _subject(conversation),
        {
            "message_id": message.id,
            "window_open": window_open(conversation, now),
            "channel": conversation.channel,
            "chars": len(text),
        },
        now=now,
    )
    return message


# --- canned replies ---------------------------------------------------------------------------


def canned_replies(session: Session, office_id: int, language: str) -> list[CannedReply]:
    """Return the canned replies in a language for an office: its own first, then every office's, by title."""
    return list(
        session.scalars(
            select(CannedReply)
            .where(
                CannedReply.language == language,
                or_(CannedReply.office_id == office_id, CannedReply.office_id.is_(None)),
            )
            .order_by(CannedReply.office_id.is_(None), CannedReply.title, CannedReply.id)
        )
    )


def render_canned(
    reply: CannedReply | str,
    conversation: Conversation,
    booking: Booking | None = None,
    *,
    office: Office | None = None,
) -> str:
    """Fill a canned reply's {code} {date} {session} {office} {address} {name}; leave anything else as written.

    {date} is in words in the conversation's language. A variable with no value (no booking,
    no address) stays visible for the officer to fill in; this never raises.
    """
    text = reply.body if isinstance(reply, CannedReply) else str(reply)
    if office is None:
        owner = Session.object_session(conversation)
        office = owner.get(Office, conversation.office_id) if owner is not None else None
    values: dict[str, str | None] = {
        "office": office.name if office is not None else None,
        "address": office.address if office is not None else None,
        "name": (booking.name if booking is not None else None) or conversation.profile_name,
    }
    if booking is not None:
        values["code"] = booking.code
        values["date"] = format_date(booking.date, conversation.language)
        values["session"] = f"{booking.session.start}-{booking.session.end}"
    return VARIABLE.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


# --- notes ------------------------------------------------------------------------------------


def add_note(session: Session, officer: Officer, conversation: Conversation, body: str, now: dt.datetime) -> Note:
    """Add the officer's private note to the conversation (never sent); raise InboxError("empty") or ("too_long")."""
    text = _clean(body)
    if not text:
        raise InboxError("empty")
    if len(text) > MAX_NOTE:
        raise InboxError("too_long")
    note = Note(conversation_id=conversation.id, officer_id=officer.id, body=text, created_at=now)
    session.add(note)
    session.flush()
    audit.record(
        session, officer, conversation.office_id, "note", _subject(conversation), {"note_id": note.id}, now=now
    )
    return note


# --- who is replying now ----------------------------------------------------------------------


def _replying_id(conversation: Conversation, now: dt.datetime) -> int | None:
    if conversation.replying_until is None or conversation.replying_until <= now:
        return None
    return conversation.replying_officer_id


def start_replying(session: Session, officer: Officer, conversation: Conversation, now: dt.datetime) -> Officer | None:
    """Show the officer as replying for the next 60 s (call again while typing); return who else was, if anyone.

    The last to start wins; the page warns the officer when another was replying.
    """
    conversation = _lock(session, conversation)
    other = replying_now(conversation, now, viewer=officer)
    conversation.replying_officer_id = officer.id
    conversation.replying_until = now + REPLYING_FOR
    return other


def stop_replying(session: Session, officer: Officer, conversation: Conversation) -> None:
    """Stop showing the officer as replying (nothing changes if another officer is)."""
    conversation = _lock(session, conversation)
    if conversation.replying_officer_id == officer.id:
        conversation.replying_officer_id = conversation.replying_until = None


def replying_now(conversation: Conversation, now: dt.datetime, viewer: Officer | None = None) -> Officer | None:
    """Return the officer replying to the conversation now, unless it is the viewer; else None."""
    officer_id = _replying_id(conversation, now)
    if officer_id is None or (viewer is not None and officer_id == viewer.id):
        return None
    owner = Session.object_session(conversation)
    return owner.get(Officer, officer_id) if owner is not None else None
