"""The waiting list of a full day: joining it, offering freed places in turn, offers lapsing.

An entry waits (status "waiting") until a place on its day is free, whatever freed it (a
cancellation, a release, a hold that lapsed): the offer sweep then holds that place for the
first in line for OFFER_MINUTES ("offered") and puts their conversation at the booking's
summary, so that their YA books it through the usual ConfirmHold ("booked"). An offer not
taken in time lapses ("expired") and the place goes to the next in line. An entry whose
citizen can no longer book (the NIK has a booking meanwhile, the number is at its limit or
opted out) leaves the list ("cancelled"), as does one whose offer the citizen declines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from conversations.dates import format_date
from conversations.state import Draft, Step
from conversations.vocabulary import ACTIVE, BookingStatus, RefusalReason, WaitlistStatus
from storage.bookings import Refused, active_code_for_nik, hold_place
from storage.calendar import office_today, places
from storage.conversations import load_state, save_state
from storage.db import rows_changed
from storage.holds import back_to_menu, claim_conversation
from storage.models import Booking, Conversation, Office, WaitlistEntry
from storage.outbox import enqueue

OFFER_MINUTES = 30
DEFAULT_MAX_PER_PHONE = 5


def join_waitlist(
    session: Session,
    office: Office,
    conversation: Conversation,
    *,
    day: dt.date,
    service: str,
    passport_type: str,
    name: str,
    nik: str,
    now: dt.datetime,
) -> WaitlistEntry:
    """Put the citizen on the day's waiting list; raise Refused when they cannot wait for it."""
    today = office_today(office, now)
    if not today < day <= today + dt.timedelta(days=office.book_ahead_days):
        raise Refused(RefusalReason.CLOSED)
    taken_by = active_code_for_nik(session, office, nik, today)
    if taken_by:
        raise Refused(RefusalReason.NIK_TAKEN, taken_by)
    entry = WaitlistEntry(
        office_id=office.id,
        date=day,
        conversation_id=conversation.id,
        phone=conversation.phone,
        service=service,
        passport_type=passport_type,
        name=name,
        nik=nik,
        status=WaitlistStatus.WAITING,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        # The partial unique index: this number already waits (or has an offer) for the day.
        raise Refused(RefusalReason.WAITLIST_DUPLICATE) from None
    return entry


def retire_past_entries(session: Session, now: dt.datetime) -> int:
    """Take off the list the entries whose day has passed without a place; return how many."""
    retired = 0
    for office in session.scalars(select(Office)):
        retired += rows_changed(
            session.execute(
                update(WaitlistEntry)
                .where(
                    WaitlistEntry.office_id == office.id,
                    WaitlistEntry.status == WaitlistStatus.WAITING,
                    WaitlistEntry.date < office_today(office, now),
                )
                .values(status=WaitlistStatus.EXPIRED)
            )
        )
    return retired


def waiting_days(session: Session, now: dt.datetime) -> list[tuple[int, dt.date]]:
    """Return the (office id, date) pairs, today or later, that have citizens waiting."""
    rows = session.execute(
        select(WaitlistEntry.office_id, WaitlistEntry.date)
        .where(WaitlistEntry.status == WaitlistStatus.WAITING)
        .group_by(WaitlistEntry.office_id, WaitlistEntry.date)
        .order_by(WaitlistEntry.date, WaitlistEntry.office_id)
    ).all()
    offices = {office.id: office for office in session.scalars(select(Office))}
    return [(office_id, day) for office_id, day in rows if day >= office_today(offices[office_id], now)]


def _first_in_line(session: Session, office_id: int, day: dt.date) -> tuple[int, int] | None:
    """Return (entry id, conversation id) of the first waiting citizen who can be offered now.

    Passed over for now, keeping their turn: a citizen an officer is talking with (the bot
    does not interrupt), and one already considering another offer (a conversation answers
    one summary at a time).
    """
    other = aliased(WaitlistEntry)
    row = session.execute(
        select(WaitlistEntry.id, WaitlistEntry.conversation_id)
        .join(Conversation, Conversation.id == WaitlistEntry.conversation_id)
        .where(
            WaitlistEntry.office_id == office_id,
            WaitlistEntry.date == day,
            WaitlistEntry.status == WaitlistStatus.WAITING,
            Conversation.handover.is_(False),
            ~exists().where(
                other.conversation_id == WaitlistEntry.conversation_id, other.status == WaitlistStatus.OFFERED
            ),
        )
        .order_by(WaitlistEntry.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def offer_next(
    session: Session,
    office_id: int,
    day: dt.date,
    now: dt.datetime,
    max_per_phone: int = DEFAULT_MAX_PER_PHONE,
) -> str:
    """Offer one free place of the day to the first in line; return what happened.

    "offered": a place is held for them and the offer queued; "passed": the entry left the
    list (it cannot be booked); "none": nobody (offerable) waits; "full": no place is free;
    "busy": the first in line's conversation is in use, so the day waits for the next run
    (offering to the second would jump the queue).
    """
    office = session.get(Office, office_id)
    if office is None:
        return "none"
    (calendar_day,) = places(session, office, day, day, now)
    if calendar_day.closed:
        # Closed since they joined (a holiday decree, an office closure): nothing to wait for.
        session.execute(
            update(WaitlistEntry)
            .where(
                WaitlistEntry.office_id == office_id,
                WaitlistEntry.date == day,
                WaitlistEntry.status == WaitlistStatus.WAITING,
            )
            .values(status=WaitlistStatus.EXPIRED)
        )
        return "none"
    free = [s for s in calendar_day.sessions if s.available > 0]
    if not free:
        return "full"
    first = _first_in_line(session, office_id, day)
    if first is None:
        return "none"
    entry_id, conversation_id = first
    conversation = claim_conversation(session, conversation_id)
    if conversation is None:
        return "busy"
    entry = session.scalar(
        select(WaitlistEntry)
        .where(WaitlistEntry.id == entry_id, WaitlistEntry.status == WaitlistStatus.WAITING)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if entry is None:
        return "passed"  # another scheduler dealt with it a moment ago: read the line again
    if conversation.handover:
        return "busy"
    if conversation.opted_out:
        entry.status = WaitlistStatus.CANCELLED  # nothing can reach the number: the place goes on
        return "passed"
    offered = free[0].session
    try:
        # The same capacity lock and rules as a citizen's own hold; undone as a whole if refused.
        with session.begin_nested():
            hold = hold_place(
                session,
                office,
                conversation,
                session_id=offered.id,
                day=day,
                service=entry.service,
                passport_type=entry.passport_type,
                name=entry.name,
                nik=entry.nik,
                moving=None,
                now=now,
                hold_minutes=OFFER_MINUTES,
                max_per_phone=max_per_phone,
            )
    except Refused as refused:
        if refused.reason == RefusalReason.FULL:
            return "full"  # another process took the place a moment ago
        # The NIK has a booking meanwhile, the number is at its limit, or the day closed.
        entry.status = (
            WaitlistStatus.CANCELLED
            if refused.reason in (RefusalReason.NIK_TAKEN, RefusalReason.PHONE_LIMIT)
            else WaitlistStatus.EXPIRED
        )
        return "passed"
    entry.status, entry.hold_id, entry.offer_expires_at = WaitlistStatus.OFFERED, hold.id, hold.hold_expires_at
    # Whatever the citizen was doing, their conversation is now at this place's summary:
    # YA books it through the usual ConfirmHold, TIDAK gives it to the next in line.
    save_state(
        conversation,
        replace(
            load_state(conversation),
            step=Step.CONFIRM,
            draft=Draft(
                service=entry.service,
                passport_type=entry.passport_type,
                name=entry.name,
                nik=entry.nik,
                date=day,
                session_id=offered.id,
                offer=True,
            ),
        ),
    )
    enqueue(
        session,
        conversation,
        kind="waitlist_offer",
        message_id="waitlist_offer",
        now=now,
        booking=hold,
        dedupe_key=f"waitlist_offer:{entry.id}",
        params={
            "date": format_date(day, conversation.language),
            "start": offered.start,
            "end": offered.end,
            "name": entry.name,
            "minutes": OFFER_MINUTES,
        },
    )
    return "offered"


def lapsed_offers(session: Session, now: dt.datetime, limit: int = 500) -> list[int]:
    """Return the ids of the entries whose offer was not taken in time, oldest first."""
    return list(
        session.scalars(
            select(WaitlistEntry.id)
            .where(WaitlistEntry.status == WaitlistStatus.OFFERED, WaitlistEntry.offer_expires_at <= now)
            .order_by(WaitlistEntry.offer_expires_at, WaitlistEntry.id)
            .limit(limit)
        )
    )


def expire_offer(session: Session, entry_id: int, now: dt.datetime) -> bool:
    """Let one lapsed offer go (entry and hold) and tell the citizen; False if not done here."""
    found = session.get(WaitlistEntry, entry_id)
    if found is None:
        return False
    conversation = claim_conversation(session, found.conversation_id)
    if conversation is None:
        return False  # the citizen may be answering right now: the next run decides
    entry = session.scalar(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.id == entry_id,
            WaitlistEntry.status == WaitlistStatus.OFFERED,
            WaitlistEntry.offer_expires_at <= now,
        )
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if entry is None:
        return False
    hold = (
        session.scalar(
            select(Booking)
            .where(Booking.id == entry.hold_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if entry.hold_id is not None
        else None
    )
    if hold is not None and hold.status in ACTIVE:
        entry.status = WaitlistStatus.BOOKED  # taken after all (a YA just in time): nothing to expire
        return False
    if hold is not None and hold.status == BookingStatus.HELD:
        hold.status = BookingStatus.EXPIRED
    entry.status = WaitlistStatus.EXPIRED
    state = load_state(conversation)
    if state.step == "confirm" and state.draft.offer and state.draft.date == entry.date:
        back_to_menu(conversation)
    enqueue(
        session,
        conversation,
        kind="waitlist_expired",
        message_id="waitlist_expired",
        now=now,
        booking=hold,
        dedupe_key=f"waitlist_expired:{entry.id}",
        params={"date": format_date(entry.date, conversation.language), "minutes": OFFER_MINUTES},
    )
    return True
