"""The conversation state machine: step(state, message, now, facts) -> Outcome.

Pure: no I/O and no clock. Its shape is h11's `_state.py`: a conversation is at a `Step`;
`classify` turns a message into an `Event`; one transition table, `TRANSITIONS`, says which
handler answers that event at that step (its `ANY` rows apply at every step); the handlers
say what to reply and which effects storage must apply.

Storage gives the facts, applies the effects and, when it must refuse one (the last place
went to someone else a moment ago), runs the step again with `facts.refusal` set. A refusal
is an event too: the handler that asks for the refused effect (`_Turn.ask`) gets, instead,
the answer `REFUSALS` gives for that effect, and no handler checks for refusals itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Unpack

from conversations import words
from conversations.catalogue import MESSAGES, documents_for, render
from conversations.dates import format_date, format_date_short, parse_date, weekday_conflict, weekday_name
from conversations.details import Details, for_child, read_details
from conversations.effects import (
    AwaitOfficer,
    CancelBooking,
    ConfirmBooking,
    ConfirmHold,
    Effect,
    HoldPlace,
    JoinWaitlist,
    ReleaseHold,
)
from conversations.facts import BookingInfo, DayInfo, Facts, Refusal, SessionInfo
from conversations.names import check_name, is_greeting, name_label
from conversations.nik import birth_date, find_nik, is_minor, mask_nik, read_nik, remove_nik
from conversations.questions import Question, answer_text, find_question
from conversations.state import Draft, DraftChanges, State, Step
from conversations.vocabulary import RefusalReason

STUCK_LIMIT = 3  # messages in a row the bot did not understand before it calls an officer
BOOKING_STEPS = frozenset(
    {Step.SERVICE, Step.PASSPORT_TYPE, Step.NAME, Step.NIK, Step.DATE, Step.SESSION, Step.CONFIRM}
)
MENU_CHOICES = {1: "book", 2: "status", 3: "move", 4: "cancel", 5: "documents", 6: "agent"}
SERVICE_CHOICES = {1: "new", 2: "renewal", 3: "lost", 4: "damaged"}
TYPE_CHOICES = {1: "ordinary", 2: "electronic"}
# What the draft must already hold at each step; a state that lacks it (an old or damaged
# state from storage) starts again at the menu rather than failing half-way.
DRAFT_NEEDS = {
    Step.PASSPORT_TYPE: ("service",),
    Step.NAME: ("service", "passport_type"),
    Step.NIK: ("service", "passport_type", "name"),
    Step.DATE: ("service", "passport_type", "name"),
    Step.SESSION: ("service", "passport_type", "name", "date"),
    Step.CONFIRM: ("service", "passport_type", "name", "date", "session_id"),
    Step.CANCEL_CONFIRM: ("cancelling",),
}


@dataclass(frozen=True)
class Inbound:
    """A citizen's message as the machine sees it."""

    text: str
    media: int = 0  # how many attachments came with it


@dataclass(frozen=True)
class Outcome:
    state: State
    replies: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()


class EventKind(StrEnum):
    """What a message is, whatever the step (classify decides, in this order of precedence)."""

    STOP = "stop"  # STOP or another opt-out word: honoured at every step, even in a handover
    OPTED_OUT = "opted_out"  # anything but START from a number that opted out: no answer
    START = "start"  # START from a number that opted out
    HANDOVER = "handover"  # a message while the citizen waits for (or talks to) an officer
    LANGUAGE = "language"  # EN or ID
    EMPTY = "empty"  # no text: an attachment alone, or whitespace
    REMINDER_YES = "reminder_yes"  # a yes that can only answer a reminder
    REMINDER_CANCEL = "reminder_cancel"  # a bare BATAL at the menu, one reminded booking
    REMINDER_NO = "reminder_no"  # "tidak bisa datang" at the menu after a reminder
    QUESTION = "question"  # fees, hours, address, documents ... asked in a sentence
    COMMAND = "command"  # a keyword (PESAN, CEK, BATAL KODE, MENU ...)
    ANSWER = "answer"  # anything else: the answer to the step's question


@dataclass(frozen=True)
class Event:
    kind: EventKind
    text: str  # the message, stripped
    command: str | None = None  # the keyword, for COMMAND (and STOP, START, LANGUAGE)
    argument: str = ""  # what came with the keyword (a booking code)
    media: int = 0
    question: Question | None = None  # for QUESTION


def classify(state: State, message: Inbound, facts: Facts) -> Event:
    """Return the event a message is, at the state's step and with the facts."""
    text = (message.text or "").strip() if isinstance(message.text, str) else ""
    command, argument = words.keyword(text)

    def event(kind: EventKind, question: Question | None = None) -> Event:
        return Event(kind, text, command, argument, message.media, question)

    # On SMS, Twilio opts a number out on its own opt-out words (CANCEL among them, which
    # is our English BATAL): the conversation must know it, or it would answer into the void.
    if command == "stop" or (facts.channel == "sms" and words.is_twilio_stop_word(text)):
        return event(EventKind.STOP)
    if state.opted_out:
        opt_in = command == "start" or (facts.channel == "sms" and words.is_twilio_start_word(text))
        return event(EventKind.START if opt_in else EventKind.OPTED_OUT)
    if state.handover:
        return event(EventKind.HANDOVER)
    if command in ("english", "indonesian"):
        return event(EventKind.LANGUAGE)
    if not text:
        return event(EventKind.EMPTY)
    awaiting = facts.awaiting_confirmation
    if awaiting:
        # YA keeps its own meaning where a question of the conversation awaits it (the
        # summary, a cancellation); elsewhere it can only answer the reminder. A bare BATAL
        # or a plain no answers it at the menu only (elsewhere it stops what is in progress).
        if command is None and words.is_yes(text) and state.step not in (Step.CONFIRM, Step.CANCEL_CONFIRM):
            return event(EventKind.REMINDER_YES)
        if state.step == Step.MENU and command == "cancel" and not argument and len(awaiting) == 1:
            return event(EventKind.REMINDER_CANCEL)
        if state.step == Step.MENU and command is None and words.is_no(text):
            return event(EventKind.REMINDER_NO)
    if command is None:
        question = find_question(text, facts.questions)
        if question is not None:
            return event(EventKind.QUESTION, question=question)
        return event(EventKind.ANSWER)
    return event(EventKind.COMMAND)


class _Turn:
    """One message being answered: the state so far, what to say and what to do."""

    def __init__(self, state: State, facts: Facts, now: dt.datetime) -> None:
        self.state = state
        self.facts = facts
        self.now = now
        self.replies: list[str] = []
        self.effects: list[Effect] = []
        self.understood = True

    def say(self, message_id: str, **params: object) -> None:
        self.replies.append(render(message_id, self.state.lang, **params))

    def say_more(self, message_id: str, **params: object) -> None:
        """Add to the last reply rather than send another message (one SMS, not two)."""
        text = render(message_id, self.state.lang, **params)
        if self.replies:
            self.replies[-1] = f"{self.replies[-1]} {text}"
        else:
            self.replies.append(text)

    def puzzled(self, message_id: str, **params: object) -> None:
        """Say what the bot says when it did not understand the message (it counts, see outcome)."""
        self.understood = False
        self.say(message_id, **params)

    def go(self, step: Step, **draft_changes: Unpack[DraftChanges]) -> None:
        self.state = replace(self.state, step=step, draft=replace(self.state.draft, **draft_changes))

    def reset(self, keep_hold: bool = False) -> None:
        """Return to the menu, the one way there: drop the draft and give back the place it
        holds (unless keep_hold: the place has just become the booking)."""
        if not keep_hold and self.state.step in BOOKING_STEPS and self.facts.hold is not None:
            self.effects.append(ReleaseHold())
        self.state = replace(self.state, step=Step.MENU, draft=Draft())

    def ask(self, effect: Effect) -> bool:
        """Ask storage to apply an effect; False when it refused it (already answered)."""
        if self.refused(effect):
            return False
        self.effects.append(effect)
        return True

    def refused(self, effect: Effect) -> bool:
        """When this run answers storage's refusal of the effect, answer it and say True.

        Storage refuses one effect of a message and runs the step again with the refusal:
        the handler reaches the same effect, and REFUSALS answers the citizen instead.
        """
        refusal = self.facts.refusal
        if refusal is None:
            return False
        REFUSALS[type(effect)](self, effect, refusal)
        return True

    def outcome(self) -> Outcome:
        """Return the outcome; after STUCK_LIMIT messages in a row not understood, call an officer.

        The citizen is told an officer will answer here and is put in the inbox's waiting
        view (AwaitOfficer); the bot keeps answering meanwhile.
        """
        if not (self.state.handover or self.state.opted_out):
            stuck = 0 if self.understood else self.state.stuck + 1
            if stuck >= STUCK_LIMIT:
                self.say("offer_agent")
                self.effects.append(AwaitOfficer())
                stuck = 0
            self.state = replace(self.state, stuck=stuck)
        return Outcome(self.state, tuple(self.replies), tuple(self.effects))

    def day(self, day: dt.date) -> str:
        return format_date(day, self.state.lang)


def step(state: State, message: Inbound, now: dt.datetime, facts: Facts) -> Outcome:
    """Answer one message: return the next state, the replies and the effects to apply."""
    turn = _Turn(sane_state(state), facts, now)
    event = classify(state, message, facts)
    if event.kind not in SILENT_ON_LANGUAGE:
        _follow_language(turn, event.text, event.command)
    handler = TRANSITIONS.get((turn.state.step, event.kind)) or TRANSITIONS[(ANY, event.kind)]
    handler(turn, event)
    return turn.outcome()


# Events whose words say nothing of the citizen's language (or that set it themselves).
SILENT_ON_LANGUAGE = frozenset(
    {EventKind.STOP, EventKind.OPTED_OUT, EventKind.START, EventKind.HANDOVER, EventKind.LANGUAGE}
)


# --- the events every step answers the same way -------------------------------------------------


def _on_stop(turn: _Turn, event: Event) -> None:
    """STOP, honoured at every step, even while an officer has the conversation (which it
    ends: nothing can be sent to the number any more)."""
    was_out = turn.state.opted_out
    turn.reset()
    turn.state = replace(
        turn.state, opted_out=True, handover=False, lang=words.language_of(event.text) or turn.state.lang
    )
    # On SMS Twilio confirms its own opt-out words (STOP, END ...) and would block ours.
    sms_confirmed = turn.facts.channel == "sms" and words.is_twilio_stop_word(event.text)
    if not was_out and not sms_confirmed:
        turn.say("opted_out")


def _on_opted_out(turn: _Turn, event: Event) -> None:
    """Nothing goes to a number that opted out, until it sends START."""


def _on_start(turn: _Turn, event: Event) -> None:
    turn.state = replace(turn.state, opted_out=False)
    _menu(turn)


def _on_handover(turn: _Turn, event: Event) -> None:
    _in_handover(turn, event.text, event.command, event.argument)


def _on_language(turn: _Turn, event: Event) -> None:
    turn.state = replace(turn.state, lang="en" if event.command == "english" else "id", lang_known=True)
    _prompt(turn)


def _on_empty(turn: _Turn, event: Event) -> None:
    if event.media:
        turn.say("media_only")
    _prompt(turn)


def _on_reminder_yes(turn: _Turn, event: Event) -> None:
    """A yes that answers the reminder: confirm, then ask the step's question again."""
    _confirm_awaiting(turn)
    _prompt_again(turn)


def _on_reminder_cancel(turn: _Turn, event: Event) -> None:
    code = turn.facts.awaiting_confirmation[0].code
    if turn.ask(CancelBooking(code)):
        turn.say("cancelled", code=code)


def _on_reminder_no(turn: _Turn, event: Event) -> None:
    """ "tidak bisa datang", "gak jadi": a cancellation in plain words, asked once more
    ("Batalkan ...? Balas YA atau TIDAK") since it cannot be undone."""
    awaiting = turn.facts.awaiting_confirmation
    if len(awaiting) == 1:
        _ask_cancel(turn, awaiting[0].code)
    else:
        turn.go(Step.CANCEL_PICK)
        turn.say("pick_cancel", bookings=_booking_codes(turn))


def _on_command(turn: _Turn, event: Event) -> None:
    # START from a number that has not opted out is a wish to begin: the menu.
    command = "menu" if event.command == "start" else event.command or ""
    _command(turn, command, event.argument, event.text)


def _follow_language(turn: _Turn, text: str, command: str | None) -> None:
    """Answer in the citizen's language: the first that their words lean to, then keep it.

    Once known, a single word ("booking", "cancel", "thanks kak", "no 2") does not change
    it; only EN/ID or a whole sentence in the other language does. A name says nothing of
    its language ("I Made Wirawan" is Balinese): only the words around it count.
    """
    if command is None and turn.state.step == Step.NAME:
        text = name_label(text)
    state = turn.state
    if not state.lang_known:
        detected = words.language_of(text)
        if detected:
            turn.state = replace(state, lang=detected, lang_known=True)
        return
    sentence = words.sentence_language(text)
    if sentence and sentence != state.lang:
        turn.state = replace(state, lang=sentence)


def sane_state(state: State) -> State:
    """Return the state, or a fresh menu state if its step lacks what the draft must hold.

    A stored state can be stale (a step renamed, a draft cut short): step() acts on this.
    """
    draft = state.draft
    fits = isinstance(state.step, Step) and all(getattr(draft, name) for name in DRAFT_NEEDS.get(state.step, ()))
    if state.step in (Step.DATE, Step.SESSION, Step.CONFIRM) and not (draft.nik or draft.moving):
        fits = False
    return state if fits else replace(state, step=Step.MENU, draft=Draft())


# --- keywords -----------------------------------------------------------------------------


def _command(turn: _Turn, command: str, argument: str, text: str) -> None:
    if command == "menu":
        turn.reset()
        _menu(turn)
    elif command == "help":
        turn.say("help")
        _prompt_again(turn)
    elif command == "documents":
        turn.say("documents_intro", documents=render("documents_all", turn.state.lang))
        _prompt_again(turn)
    elif command == "status":
        _status(turn)
        _prompt_again(turn)
    elif command == "agent":
        turn.reset()
        turn.state = replace(turn.state, handover=True)
        _say_handover(turn)
    elif command == "book" and turn.state.step == Step.CONFIRM:
        # "BOOK"/"PESAN" in answer to the summary means to book it, but only YA confirms:
        # ask for it rather than throw the held place away.
        turn.say("move_confirm_hint" if turn.state.draft.moving else "confirm_hint")
    elif command == "book":
        turn.reset()
        _start_booking(turn, text)
    elif command == "cancel":
        _cancel(turn, argument)
    elif command == "move":
        _move(turn, argument)
    elif command == "waitlist":
        _join_waitlist(turn)


def _on_question(turn: _Turn, event: Event) -> None:
    """Answer a question asked in a sentence (fees, hours, address, walk-in, documents,
    children), then ask the pending question again."""
    facts = turn.facts
    assert event.question is not None
    turn.replies.append(
        answer_text(
            event.question,
            turn.state.lang,
            office=facts.office_name,
            address=facts.office_address,
            hours=facts.hours,
            fees=facts.fees,
            today=facts.today,
            map_url=facts.map_url,
        )
    )
    if turn.state.step != Step.MENU:
        _prompt(turn)
    elif facts.awaiting_confirmation:
        turn.say("reminder_hint", bookings=_awaiting_lines(turn, facts.awaiting_confirmation))
    else:
        turn.say("question_more")


def _menu(turn: _Turn) -> None:
    turn.say("menu", office=turn.facts.office_name)


def _prompt_again(turn: _Turn) -> None:
    """After an aside (HELP, SYARAT, CEK) in the middle of something, ask its question again."""
    if turn.state.step != Step.MENU:
        _prompt(turn)


# --- a handover and the reminders -----------------------------------------------------------


def _in_handover(turn: _Turn, text: str, command: str | None, argument: str) -> None:
    """Answer a message while the citizen waits for an officer or talks to one.

    The bot does not chat then, but it never traps: until an officer takes the conversation
    over, MENU (or START, or a BATAL that answers no reminder) gives it back to the bot, and
    PETUGAS again says when officers answer. An answer to a reminder still confirms or
    cancels the booking (the officer sees both in the thread).
    """
    facts = turn.facts
    if not facts.officer_assigned:
        wants_bot = command in ("menu", "start", "book") or (
            command == "cancel" and not argument and not facts.awaiting_confirmation
        )
        if wants_bot:
            turn.state = replace(turn.state, handover=False)
            turn.say("handover_ended")
            if command == "book":
                _start_booking(turn, text)
            else:
                _menu(turn)
            return
        if command == "agent":
            _say_handover(turn)
            return
    _answer_reminder_in_handover(turn, text, command, argument)


def _say_handover(turn: _Turn) -> None:
    """Say that an officer will answer here: now, or when they are back at the desk."""
    back = turn.facts.officers_back_at
    if back is None:
        turn.say("handover")
        return
    turn.say("handover_closed", when=f"{turn.day(back.date())} {back:%H:%M}")  # in the office's time


def _answer_reminder_in_handover(turn: _Turn, text: str, command: str | None, argument: str) -> None:
    """During a handover, act on a YA or a BATAL that answers a reminder; stay silent otherwise."""
    awaiting = turn.facts.awaiting_confirmation
    if not awaiting:
        return
    if command is None and words.is_yes(text):
        _confirm_awaiting(turn)
    elif command == "cancel":
        # The bot cannot ask which booking while the officer has the chat: only a BATAL that
        # names one (or the only one waiting) acts; the officer answers the rest.
        code = words.booking_code(argument) if argument else None
        if code is None and not argument and len(awaiting) == 1:
            code = awaiting[0].code
        if code is not None and any(b.code == code for b in awaiting) and turn.ask(CancelBooking(code)):
            turn.say("cancelled", code=code)


def _confirm_awaiting(turn: _Turn) -> None:
    """Confirm every reminded booking: each reminder asked for a YA, and one YA answers them all.

    Confirming the soonest only would leave the others (a parent's children, say) to be
    released in the evening; a confirmation by mistake costs nothing and BATAL still works.
    """
    awaiting = turn.facts.awaiting_confirmation
    for booking in awaiting:
        if not turn.ask(ConfirmBooking(booking.code)):
            return
    turn.say("reminder_confirmed", bookings=_awaiting_lines(turn, awaiting))


def _awaiting_lines(turn: _Turn, bookings: tuple[BookingInfo, ...] | list[BookingInfo]) -> str:
    return "; ".join(f"{b.code} {turn.day(b.date)} {b.start}-{b.end}" for b in bookings)


def _say_pending(turn: _Turn, answered: str | None = None) -> None:
    """After a YA that answered another question, say which reminded bookings still await one."""
    pending = [b for b in turn.facts.awaiting_confirmation if b.code != answered]
    if pending:
        turn.say("reminder_pending", bookings=_awaiting_lines(turn, pending))


# --- the waiting list ---------------------------------------------------------------------


def _waitlist_day(turn: _Turn, day: dt.date) -> dt.date | None:
    """Return the full day if the citizen may wait for it: a new booking, a day still to come."""
    draft = turn.state.draft
    # Today is too late to wait for (offers take up to half an hour to answer); a move keeps
    # its booking meanwhile and is not a place on the list.
    if day > turn.facts.today and draft.nik and not draft.moving:
        return day
    return None


def _join_waitlist(turn: _Turn) -> None:
    draft = turn.state.draft
    day = draft.waiting_for
    if (
        turn.state.step != Step.DATE
        or day is None
        or not (draft.nik and draft.service and draft.passport_type and draft.name)
    ):
        turn.puzzled("not_understood")
        _prompt(turn)
        return
    if _waitlist_day(turn, day) is None:
        # The invitation was for a day that has come meanwhile: too late to wait for it.
        turn.go(Step.DATE, waiting_for=None)
        turn.say("date_past" if day < turn.facts.today else "date_full", date=turn.day(day))
        _ask_date(turn)
        return
    effect = JoinWaitlist(
        date=day, service=draft.service, passport_type=draft.passport_type, name=draft.name, nik=draft.nik
    )
    if turn.refused(effect):
        return
    turn.reset()
    turn.effects.append(effect)
    turn.say("waitlist_joined", date=turn.day(day), minutes=turn.facts.offer_minutes)


def _waitlist_refused(turn: _Turn, effect: Effect, refusal: Refusal) -> None:
    assert isinstance(effect, JoinWaitlist)
    if refusal.reason == RefusalReason.NIK_TAKEN:
        _refused(turn, refusal.reason, refusal.code)
    elif refusal.reason == RefusalReason.WAITLIST_DUPLICATE:
        turn.reset()
        turn.say("waitlist_already", date=turn.day(effect.date))
    else:  # the day can no longer be waited for (it passed, or the office closed it)
        turn.go(Step.DATE, waiting_for=None)
        turn.puzzled("not_understood")
        _ask_date(turn)


def _status(turn: _Turn) -> None:
    if not turn.facts.bookings:
        turn.say("no_bookings")
        return
    turn.say("bookings_list", bookings="; ".join(_booking_line(turn, b) for b in turn.facts.bookings))


def _booking_line(turn: _Turn, booking: BookingInfo) -> str:
    status = f"status_{booking.status}"
    # A number with several bookings (a parent's family) is told whose each one is.
    whose = f"{booking.name} " if len(turn.facts.bookings) > 1 else ""
    return whose + render(
        "booking_line",
        turn.state.lang,
        code=booking.code,
        date=turn.day(booking.date),
        start=booking.start,
        end=booking.end,
        status=render(status, turn.state.lang) if status in MESSAGES else booking.status,
    )


def _booking_codes(turn: _Turn) -> str:
    """List the bookings to pick from, numbered, each with whose it is and its date."""
    return ", ".join(
        f"{n}) {b.code} {b.name} {format_date_short(b.date, turn.state.lang)}"
        for n, b in enumerate(turn.facts.bookings, start=1)
    )


def _find_booking(turn: _Turn, code: str | None) -> BookingInfo | None:
    return next((b for b in turn.facts.bookings if b.code == code), None)


def _cancel(turn: _Turn, argument: str) -> None:
    if argument:
        turn.reset()
        _ask_cancel(turn, words.booking_code(argument))
    elif turn.state.step in BOOKING_STEPS or turn.state.step in (Step.CANCEL_PICK, Step.MOVE_PICK):
        _stop_draft(turn)
    elif turn.state.step == Step.CANCEL_CONFIRM:
        _ask_cancel(turn, turn.state.draft.cancelling)
    elif not turn.facts.bookings:
        turn.say("no_bookings")
    elif len(turn.facts.bookings) == 1:
        _ask_cancel(turn, turn.facts.bookings[0].code)
    else:
        turn.go(Step.CANCEL_PICK)
        turn.say("pick_cancel", bookings=_booking_codes(turn))


def _stop_draft(turn: _Turn) -> None:
    """Drop what is in progress and say so in words that cannot be read as a cancelled booking."""
    moving, step_name, offer = turn.state.draft.moving, turn.state.step, turn.state.draft.offer
    turn.reset()
    if moving:
        turn.say("kept", code=moving)
    elif offer and step_name == Step.CONFIRM:
        turn.say("offer_declined")
    elif step_name in (Step.CANCEL_PICK, Step.MOVE_PICK):
        turn.say("nothing_changed")
    else:
        turn.say("draft_cancelled")


def _ask_cancel(turn: _Turn, code: str | None) -> None:
    booking = _find_booking(turn, code)
    if booking is None:
        turn.reset()
        turn.say("unknown_code")
        return
    turn.go(Step.CANCEL_CONFIRM, cancelling=booking.code)
    turn.say("ask_cancel", code=booking.code, date=turn.day(booking.date), start=booking.start, end=booking.end)


def _move(turn: _Turn, argument: str) -> None:
    turn.reset()
    if argument:
        _start_move(turn, words.booking_code(argument))
    elif not turn.facts.bookings:
        turn.say("no_bookings")
    elif len(turn.facts.bookings) == 1:
        _start_move(turn, turn.facts.bookings[0].code)
    else:
        turn.go(Step.MOVE_PICK)
        turn.say("pick_move", bookings=_booking_codes(turn))


def _start_move(turn: _Turn, code: str | None) -> None:
    booking = _find_booking(turn, code)
    if booking is None:
        turn.reset()
        turn.say("unknown_code")
        return
    turn.state = replace(
        turn.state,
        step=Step.DATE,
        draft=Draft(
            service=booking.service,
            passport_type=booking.passport_type,
            name=booking.name,
            moving=booking.code,
        ),
    )
    turn.say("move_start", code=booking.code)
    _ask_date(turn)


# --- the steps ------------------------------------------------------------------------------


def _on_menu(turn: _Turn, text: str) -> None:
    choice = words.number(text, len(MENU_CHOICES))
    if choice is not None:
        _command(turn, MENU_CHOICES[choice], "", "")
    elif FAMILY_RE.match(text):
        _start_family(turn, FAMILY_RE.sub("", text, count=1))
    elif words.service_in(text) or for_child(text):
        _start_booking(turn, text)
    elif turn.facts.awaiting_confirmation:
        # After a reminder, what is not understood most likely answers it: ask again for
        # YA or BATAL rather than show the menu (and let the place be released at night).
        turn.puzzled("reminder_hint", bookings=_awaiting_lines(turn, turn.facts.awaiting_confirmation))
    else:
        if not is_greeting(text):
            turn.understood = False  # the menu again, for a message it did not answer
        _menu(turn)


def _start_booking(turn: _Turn, text: str) -> None:
    active = len(turn.facts.bookings)
    if active >= turn.facts.max_bookings:
        turn.say("phone_limit", count=active, limit=turn.facts.max_bookings)
        return
    turn.state = replace(turn.state, step=Step.SERVICE, draft=Draft())
    found = _read(turn, text)
    if not found.fields:
        turn.go(Step.SERVICE, child=found.child)
        turn.say("ask_details_child" if found.child else "ask_details")
        return
    _take_details(turn, found)


# TAMBAH (ADD): one more booking for a family member, like the last one this number made.
FAMILY_RE = re.compile(r"^\s*(?:tambah|tambahkan|tambah\s+keluarga|keluarga|add|family)\b[\s,.:;!-]*", re.IGNORECASE)


def _start_family(turn: _Turn, text: str) -> None:
    """Start a booking for a family member: the last booking's service, type and session kept.

    Only the new name and NIK are asked (in the same message if given); the citizen sees
    the summary and may still change any detail there before YA.
    """
    booking = _find_booking(turn, turn.state.family)
    if booking is None:
        _start_booking(turn, text)
        return
    active = len(turn.facts.bookings)
    if active >= turn.facts.max_bookings:
        turn.say("phone_limit", count=active, limit=turn.facts.max_bookings)
        return
    info = turn.facts.days.get(booking.date)
    session = next((s for s in info.sessions if s.start == booking.start), None) if info else None
    turn.state = replace(
        turn.state,
        step=Step.NAME,
        draft=Draft(
            service=booking.service,
            passport_type=booking.passport_type,
            date=booking.date if session is not None else None,
            session_id=session.id if session is not None else None,
            child=for_child(text),
        ),
    )
    found = _read(turn, text)
    if found.fields or found.rest:
        _take_details(turn, found)
        return
    turn.say("ask_family", code=booking.code)


# --- the details of a booking: in any order, several in a message ----------------------------

COLLECTING = ("service", "passport_type", "name", "nik", "date")  # in the order they are asked
FIELD_STEPS = {
    "service": Step.SERVICE,
    "passport_type": Step.PASSPORT_TYPE,
    "name": Step.NAME,
    "nik": Step.NIK,
    "date": Step.DATE,
}


def _read(turn: _Turn, text: str) -> Details:
    return read_details(text, turn.facts.today, _all_starts(turn))


def _collecting(handler: Callable[[_Turn, str], None]) -> Callable[[_Turn, str], None]:
    """Let a step take every detail a message gives, not only the one it asked for.

    A message that gives just what the step asked for goes to the step's own handler, as
    does everything while a booking is being moved (its details are kept).
    """

    def run(turn: _Turn, text: str) -> None:
        step_name = turn.state.step
        if turn.state.draft.moving:
            handler(turn, text)
            return
        found = _read(turn, text)
        fields = set(found.fields)
        asked = {step_name} | ({"session"} if step_name == Step.DATE else set())
        whole_name = step_name == Step.NAME and find_nik(text) is None and check_name(text).name is not None
        # Only details already given ("saya mau perpanjang" when asked for a name): the step's
        # own answer (here: that is no name) helps more than taking them again.
        draft = turn.state.draft
        adds = {f for f in fields if f in COLLECTING and getattr(draft, f) is None}
        # Any few words read as a name: alone, they are one only where a name was asked for.
        name_alone = fields == {"name"}
        if not fields or fields <= asked or whole_name or not adds or name_alone:
            handler(turn, text)
            return
        _take_details(turn, found)

    return run


def _take_details(turn: _Turn, found: Details) -> None:
    """Put what the message gives into the draft, say what could not be taken, ask for the rest."""
    changes: DraftChanges = {}
    if found.service:
        changes["service"] = found.service
    if found.passport_type:
        changes["passport_type"] = found.passport_type
    if found.name:
        changes["name"] = found.name
    if found.child:
        changes["child"] = True
    if found.date:
        changes["date"] = found.date
        changes["session_id"] = None
    nik_problem = found.nik.problem if found.nik is not None and found.nik.nik is None else None
    turn.go(turn.state.step, **changes)
    if found.name_dropped and found.name:
        turn.say("name_emoji_dropped", name=found.name)
    if nik_problem:
        turn.say(f"nik_{nik_problem}")
    if found.date_text:
        conflict = weekday_conflict(found.date_text, turn.facts.today)
        if conflict is not None:
            turn.say("date_conflict", date=turn.day(conflict[1]), weekday=weekday_name(conflict[0], turn.state.lang))
    if found.rest:
        turn.say("details_not_read", parts="; ".join(f'"{part}"' for part in found.rest))
    new_nik = found.nik.nik if found.nik is not None else None
    if new_nik and not _take_nik(turn, new_nik):
        return
    _continue_booking(turn, session=found.session, told=bool(changes) or new_nik is not None)


def _continue_booking(turn: _Turn, session: int | None = None, told: bool = False, one_by_one: bool = False) -> None:
    """Ask for what the draft still lacks, or hold the place.

    A citizen who gave several details at once is asked for all that is missing in one
    message; one who answers one thing at a time (one_by_one) is asked the next question.

    With every detail in hand, the chosen session (or the day's first with places left) is
    held and the summary shown: YA books it, and it can still be corrected there.
    """
    draft = turn.state.draft
    missing = [name for name in COLLECTING if getattr(draft, name) is None]
    if missing:
        turn.go(FIELD_STEPS[missing[0]])
        if len(missing) == 1 or one_by_one:
            _prompt(turn)
            return
        known = _known_details(turn) if told else ""
        turn.say(
            "ask_more",
            known=known,
            missing=", ".join(render(f"field_{name}{_child(draft, name)}", turn.state.lang) for name in missing),
            example=", ".join(render(f"example_{name}", turn.state.lang) for name in missing),
        )
        return
    assert draft.date is not None
    info = _check_day(turn, draft.date)
    if info is None:
        return
    turn.go(Step.SESSION, session_id=None)
    chosen = _session_by_number(info, session) if session else None
    if chosen is None and draft.session_id is not None:
        chosen = next((s for s in info.sessions if s.id == draft.session_id), None)  # a correction keeps it
    if chosen is not None and chosen.available <= 0:
        turn.say("session_no_places", number=chosen.number)
        _ask_session(turn, info)
        return
    if chosen is None:
        chosen = next((s for s in sorted(info.sessions, key=lambda s: s.number) if s.available > 0), None)
        if chosen is None:
            _check_day(turn, draft.date)
            return
        _hold(turn, chosen, others=[s for s in info.sessions if s.available > 0 and s.id != chosen.id])
        return
    _hold(turn, chosen)


def _child(draft: Draft, name: str) -> str:
    return "_child" if draft.child and name in ("name", "nik") else ""


def _known_details(turn: _Turn) -> str:
    """Say back what the draft holds so far ("Dicatat: Paspor baru, biasa; Budi Santoso.")."""
    draft, lang = turn.state.draft, turn.state.lang
    parts = []
    if draft.service:
        kind = render(f"service_{draft.service}", lang)
        parts.append(f"{kind}, {render(f'type_{draft.passport_type}', lang)}" if draft.passport_type else kind)
    elif draft.passport_type:
        parts.append(render(f"type_{draft.passport_type}", lang))
    if draft.name:
        parts.append(draft.name)
    if draft.nik:
        parts.append(f"NIK {mask_nik(draft.nik)}")
    if draft.date:
        parts.append(turn.day(draft.date))
    return render("known", lang, details="; ".join(parts)) + " " if parts else ""


def _choose_service(turn: _Turn, service: str, text: str) -> None:
    passport_type = words.passport_type_in(text)
    if passport_type is None:
        turn.go(Step.PASSPORT_TYPE, service=service)
    else:
        turn.go(Step.PASSPORT_TYPE, service=service, passport_type=passport_type)
    _continue_booking(turn, one_by_one=True)


def _on_service(turn: _Turn, text: str) -> None:
    choice = words.number(text, len(SERVICE_CHOICES))
    service = SERVICE_CHOICES[choice] if choice else words.service_in(text)
    if service is None:
        turn.puzzled("not_understood")
        turn.say("ask_service")
        return
    _choose_service(turn, service, "" if choice else text)


def _on_passport_type(turn: _Turn, text: str) -> None:
    choice = words.number(text, len(TYPE_CHOICES))
    passport_type = TYPE_CHOICES[choice] if choice else words.passport_type_in(text)
    if passport_type is None:
        turn.puzzled("not_understood")
        turn.say("ask_passport_type")
        return
    turn.go(Step.PASSPORT_TYPE, passport_type=passport_type)
    _continue_booking(turn, one_by_one=True)


def _on_name(turn: _Turn, text: str) -> None:
    nik = find_nik(text)
    name_text = text
    if nik:
        # "Budi Santoso 1671..." gives the name and the NIK in one message.
        name_text = remove_nik(text)
    checked = check_name(name_text)
    if checked.name is None:
        turn.puzzled(f"name_{checked.problem}")
        return
    name = checked.name
    if checked.dropped:
        turn.say("name_emoji_dropped", name=name)
    turn.go(Step.NIK, name=name)
    if nik:
        _on_nik(turn, nik)
    else:
        _continue_booking(turn, one_by_one=True)


def _on_nik(turn: _Turn, text: str) -> None:
    # "NIK saya 1671 0145 0190 0001": the digits, without the words around them; a NIK too
    # long or with a letter in it is refused with what is wrong, never cut.
    check = read_nik(text)
    if check.nik is None:
        turn.say(f"nik_{check.problem}")
        return
    if _take_nik(turn, check.nik):
        _continue_booking(turn, one_by_one=True)


def _take_nik(turn: _Turn, nik: str) -> bool:
    """Put the NIK in the draft; False (and back at the menu) when it has a booking already.

    The NIK's birth date says whether the applicant is a child: then the name is the one on
    the birth certificate/KK and the child's documents are asked for, whatever was said.
    """
    draft = turn.state.draft
    if nik == draft.nik:
        return True
    taken = turn.facts.nik_bookings.get(nik)
    if taken:
        turn.reset()
        _say_nik_taken(turn, taken)
        return False
    child = is_minor(nik, draft.date or turn.facts.today)
    born = birth_date(nik, turn.facts.today)
    if child and not draft.child and born is not None:
        turn.say("child_nik", year=born.year)
    turn.go(turn.state.step, nik=nik, child=child)
    return True


def _say_nik_taken(turn: _Turn, code: str | None) -> None:
    """Say the NIK has a booking; name its code only when it is this number's own booking."""
    if code and _find_booking(turn, code) is not None:
        turn.say("nik_taken", code=code)
    else:
        turn.say("nik_taken_other")


def _ask_date(turn: _Turn) -> None:
    turn.say("ask_date", last=turn.day(turn.facts.last_open_day))


def _all_starts(turn: _Turn) -> list[str]:
    starts = sorted({s.start for day in turn.facts.days.values() for s in day.sessions})
    return starts


def _day_starts(info: DayInfo) -> list[str]:
    return [s.start for s in sorted(info.sessions, key=lambda s: s.number)]


def _date_in(turn: _Turn, text: str) -> dt.date | None:
    """Return the date written in text, a session named with it ("besok sesi 2") set aside."""
    _, rest = words.session_hint(text, _all_starts(turn))
    return parse_date(rest, turn.facts.today) if rest else None


def _on_date(turn: _Turn, text: str) -> None:
    day = _date_in(turn, text)
    if day is None:
        conflict = weekday_conflict(text, turn.facts.today)
        if conflict is not None:
            # "Senin 8/12" when 8/12 is a Tuesday: say so, rather than guess which one was meant.
            written, date = conflict
            turn.say("date_conflict", date=turn.day(date), weekday=weekday_name(written, turn.state.lang))
            return
        turn.puzzled("bad_date")
        return
    info = _check_day(turn, day)
    if info is None:
        return
    kept = turn.state.draft.session_id  # a date corrected at the summary keeps its session
    turn.go(Step.SESSION, date=day, session_id=None, waiting_for=None)
    number, _ = words.session_hint(text, _day_starts(info))
    chosen = _session_by_number(info, number)
    if chosen is None and kept is not None:
        chosen = next((s for s in info.sessions if s.id == kept and s.available > 0), None)
    if chosen is not None and chosen.available > 0:
        _hold(turn, chosen)
        return
    if chosen is not None:
        turn.say("session_no_places", number=chosen.number)
    _ask_session(turn, info)


def _check_day(turn: _Turn, day: dt.date) -> DayInfo | None:
    """Return the day's facts when it can be booked; else say why and offer the nearest days."""
    facts = turn.facts
    info = facts.days.get(day)
    shown = turn.day(day)
    waiting_for = None
    if day < facts.today:
        turn.say("date_past", date=shown)
    elif day > facts.last_day or info is None:
        turn.say("date_too_far", date=shown, last=turn.day(facts.last_open_day))
    elif info.closed == "holiday":
        turn.say("date_holiday", date=shown, holiday=info.holiday or "-")
    elif info.closed == "weekday":
        turn.say("date_weekday", date=shown)
    elif info.closed:
        turn.say("date_office", date=shown)
    elif info.available <= 0:
        turn.say("date_full", date=shown)
        waiting_for = _waitlist_day(turn, day)
    else:
        return info
    _offer_nearest(turn, day)
    if waiting_for is not None:
        turn.say("waitlist_invite", date=shown)
    turn.go(Step.DATE, date=None, session_id=None, waiting_for=waiting_for)
    return None


def nearest_days(facts: Facts, day: dt.date, count: int = 3) -> list[dt.date]:
    """Return the dates with places left nearest to day, soonest first among equals."""
    open_days = [d for d, info in facts.days.items() if d >= facts.today and info.available > 0]
    return sorted(open_days, key=lambda d: (abs((d - day).days), d))[:count]


def _offer_nearest(turn: _Turn, day: dt.date) -> None:
    # The refused day itself is never offered, even when the facts still show places on it.
    # Said in the same message as the refusal, in short dates: one SMS, not two.
    nearest = sorted([d for d in nearest_days(turn.facts, day, count=4) if d != day][:3])
    if nearest:
        turn.say_more("nearest_dates", dates="; ".join(format_date_short(d, turn.state.lang) for d in nearest))
    else:
        turn.say_more("no_dates", last=turn.day(turn.facts.last_open_day))


def _session_by_number(info: DayInfo, number: int | None) -> SessionInfo | None:
    return next((s for s in info.sessions if s.number == number), None)


def _ask_session(turn: _Turn, info: DayInfo) -> None:
    lines = [
        render("session_line", turn.state.lang, number=s.number, start=s.start, end=s.end, available=s.available)
        for s in info.sessions
        if s.available > 0
    ]
    turn.say("ask_session", date=turn.day(info.date), sessions=", ".join(lines))


def _on_session(turn: _Turn, text: str) -> None:
    day = turn.state.draft.date
    info = turn.facts.days.get(day) if day else None
    number = words.number(text, len(info.sessions)) if info else None
    if number is None and _date_in(turn, text) is not None:
        _on_date(turn, text)  # another date ("Senin", "besok sesi 2") instead of a session
        return
    if info is None or info.closed or info.available <= 0:
        # The day filled up (or closed) since the citizen chose it: start the date again.
        if day is not None:
            _check_day(turn, day)
        else:
            turn.go(Step.DATE)
            _ask_date(turn)
        return
    if number is None:
        number, _ = words.session_hint(text, _day_starts(info))
    chosen = _session_by_number(info, number)
    if chosen is None:
        turn.puzzled("not_understood")
        _ask_session(turn, info)
    elif chosen.available <= 0:
        turn.say("session_no_places", number=chosen.number)
        _ask_session(turn, info)
    else:
        _hold(turn, chosen)


def _hold(turn: _Turn, session: SessionInfo, others: list[SessionInfo] | None = None) -> None:
    """Ask storage to hold a place in the session and show the summary to confirm.

    `others`: the day's other sessions with places, when the bot chose this one itself.
    """
    draft = turn.state.draft
    assert draft.date is not None and draft.service and draft.passport_type and draft.name
    effect = HoldPlace(
        date=draft.date,
        session_id=session.id,
        service=draft.service,
        passport_type=draft.passport_type,
        name=draft.name,
        nik=draft.nik,
        moving=draft.moving,
    )
    if not turn.ask(effect):
        return
    turn.go(Step.CONFIRM, session_id=session.id)
    if draft.moving:
        turn.say(
            "move_summary",
            code=draft.moving,
            date=turn.day(draft.date),
            start=session.start,
            end=session.end,
            minutes=turn.facts.hold_minutes,
        )
    else:
        child = f" ({render('child_label', turn.state.lang)})" if draft.child else ""
        turn.say(
            "summary",
            service=render(f"service_{draft.service}", turn.state.lang),
            passport_type=render(f"type_{draft.passport_type}", turn.state.lang),
            name=f"{draft.name}{child}",
            nik="****" + (draft.nik or "")[-4:],
            date=format_date_short(draft.date, turn.state.lang),
            start=session.start,
            end=session.end,
            minutes=turn.facts.hold_minutes,
        )
    if others:
        turn.say("summary_other_sessions", sessions=", ".join(f"{s.number}) {s.start}" for s in others))


def _place_refused(turn: _Turn, effect: Effect, refusal: Refusal) -> None:
    """Storage refused the HoldPlace or ConfirmHold this message asked for: say why."""
    _refused(turn, refusal.reason, refusal.code)


def _booking_refused(turn: _Turn, effect: Effect, refusal: Refusal) -> None:
    """A reminded booking to confirm or cancel changed meanwhile (an officer cancelled it)."""
    turn.say("unknown_code")


def _refused(turn: _Turn, reason: str, code: str | None) -> None:
    """Answer a refusal that ends the draft (NIK, phone limit, booking gone), else offer again."""
    draft = turn.state.draft
    if reason == RefusalReason.NIK_TAKEN:
        turn.reset()
        _say_nik_taken(turn, code)
    elif reason == RefusalReason.PHONE_LIMIT:
        turn.reset()
        limit = turn.facts.max_bookings
        turn.say("phone_limit", count=max(len(turn.facts.bookings), limit), limit=limit)
    elif reason == RefusalReason.UNKNOWN_BOOKING:
        turn.reset()  # the booking being moved was cancelled meanwhile
        turn.say("unknown_code")
    elif draft.date is None:
        turn.say("session_full")
        turn.go(Step.DATE, session_id=None)
        _ask_date(turn)
    elif reason == RefusalReason.CLOSED:
        if _check_day(turn, draft.date) is not None:
            # The facts still show the day open; storage knows better (it closed just now).
            turn.say("date_office", date=turn.day(draft.date))
            _offer_nearest(turn, draft.date)
            turn.go(Step.DATE, date=None, session_id=None)
    else:
        turn.say("hold_lost" if turn.state.step == Step.CONFIRM else "session_full")
        info = turn.facts.days.get(draft.date)
        if info is not None and info.available > 0 and not info.closed:
            turn.go(Step.SESSION, session_id=None)
            _ask_session(turn, info)
        else:
            _check_day(turn, draft.date)


def _on_confirm(turn: _Turn, text: str) -> None:
    draft = turn.state.draft
    if words.is_no(text):
        _stop_draft(turn)
        return
    if not words.is_yes(text):
        if not _correct(turn, text):
            turn.puzzled("move_confirm_hint" if draft.moving else "confirm_hint")
        return
    hold = turn.facts.hold
    info = turn.facts.days.get(draft.date) if draft.date else None
    session = next((s for s in info.sessions if s.id == draft.session_id), None) if info else None
    if hold is not None and (hold.date, hold.session_id) != (draft.date, draft.session_id):
        hold = None  # a place held for something else is not this one
    if hold is None or session is None:
        turn.say("hold_lost")
        if draft.date is not None and info is not None and info.available > 0 and not info.closed:
            turn.go(Step.SESSION, session_id=None)
            _ask_session(turn, info)
        elif draft.date is not None:
            _check_day(turn, draft.date)
        else:
            turn.go(Step.DATE)
            _ask_date(turn)
        return
    if not turn.ask(ConfirmHold(hold.code)):
        return
    turn.reset(keep_hold=True)  # the held place is the booking now
    turn.state = replace(turn.state, family=None if draft.moving else hold.code)
    day = turn.day(hold.date)
    if draft.moving:
        turn.say("moved", code=draft.moving, date=day, start=session.start, end=session.end)
        _say_pending(turn, answered=draft.moving)  # a new date is reminded afresh
        return
    address = turn.facts.office_address
    turn.say(
        "booked",
        code=hold.code,
        date=format_date_short(hold.date, turn.state.lang),  # short: the confirmation is 2 SMS at most
        start=session.start,
        end=session.end,
        office=turn.facts.office_name,
        address=f", {address}" if address else "",
        documents=documents_for(draft.service or "", draft.child, turn.state.lang),
        confirmation=_confirmation_note(turn, hold.date),
    )
    _offer_family(turn)
    _say_pending(turn)


CORRECTION_RE = re.compile(
    r"\b(?:salah|ganti|ganti|ubah|keliru|koreksi|perbaiki|betulkan|revisi|wrong|change|fix|edit|correct)\b",
    re.IGNORECASE,
)
CORRECTED_FIELDS = (
    ("name", re.compile(r"\b(?:nama|name)\b", re.IGNORECASE)),
    ("nik", re.compile(r"\b(?:nik|ktp)\b", re.IGNORECASE)),
    ("session", re.compile(r"\b(?:sesi|jam|session|time|waktu)\b", re.IGNORECASE)),
    ("date", re.compile(r"\b(?:tanggal|tgl|hari|date|day)\b", re.IGNORECASE)),
    ("passport_type", re.compile(r"\b(?:jenis|tipe|type)\b", re.IGNORECASE)),
    ("service", re.compile(r"\b(?:layanan|service)\b", re.IGNORECASE)),
)


FIELD_NUMBERS = {1: "service", 2: "passport_type", 3: "name", 4: "nik", 5: "date", 6: "session"}  # as numbered
_NUMBER_LABEL = r"(?:no\.?|nomor|nomer|nmr|number|nr\.?|#)?\s*"
FIELD_NUMBER_RE = re.compile(rf"{_NUMBER_LABEL}([1-6])", re.IGNORECASE)
FIELD_NUMBER_VALUE_RE = re.compile(rf"{_NUMBER_LABEL}([1-6])(?:\s*[:=).\-]\s*|\s+)(.+)", re.IGNORECASE)


def _correct(turn: _Turn, text: str) -> bool:
    """Change one detail at the summary, then show the summary again; False if text is none.

    A detail is named by its number in the summary ("3", "no 3", "salah 3") or in words
    ("salah nama", "ganti tanggal", "NIK salah"): it is asked again, or taken at once when the
    new value comes with it ("salah nama, Budi Santosa", "ganti 5 Senin"). A session named by
    its number or time ("sesi 3", "jam 10"; a bare number too while moving a booking) moves the
    held place to that session of the same day.
    """
    draft = turn.state.draft
    info = turn.facts.days.get(draft.date) if draft.date else None
    target = _numbered_field(turn, text) if not draft.moving else None
    if target is None and _switch_session(turn, text, info):
        return True
    if target is None:
        target = _named_field(text)
    if target is None and CORRECTION_RE.search(text):
        value_text = CORRECTION_RE.sub(" ", text)
        target = ("date", value_text) if _date_in(turn, value_text) is not None else None  # "ganti 4/12"
    if target is None:
        return False
    field, value_text = target
    if draft.moving and field not in ("date", "session"):
        return False
    if field == "session":
        if info is None:
            return False
        if not (value_text and _switch_session(turn, value_text, info, bare=True)):
            _ask_session_again(turn, info)
        return True
    found = _read(turn, value_text) if value_text else None
    value: str | dt.date | None = None
    if found is not None:
        value = {
            "name": found.name,
            "nik": found.nik.nik if found.nik else None,
            "date": found.date,
            "service": found.service,
            "passport_type": found.passport_type,
        }.get(field)
    turn.state = replace(turn.state, step=FIELD_STEPS[field], draft=_with_detail(draft, field, None))
    if value is None:
        if field == "nik" and found is not None and found.nik is not None and found.nik.problem:
            turn.say(f"nik_{found.nik.problem}")
            return True
        _prompt(turn)
        return True
    if field == "nik" and isinstance(value, str):
        if not _take_nik(turn, value):
            return True
    else:
        turn.state = replace(turn.state, draft=_with_detail(turn.state.draft, field, value))
    _continue_booking(turn, session=found.session if found else None)
    return True


def _numbered_field(turn: _Turn, text: str) -> tuple[str, str] | None:
    """Return (field, new value) when the message names a detail by its number in the summary.

    "3", "no. 3", "salah 3" name detail 3; "salah 3: Budi Santosa" gives its new value too. A
    number that starts a date ("ganti 5 Desember") is a new date, not detail 5.
    """
    folded = CORRECTION_RE.sub(" ", text)
    folded = re.sub(r"\b(?:yang|yg|the|is|nya)\b", " ", folded, flags=re.IGNORECASE)
    folded = re.sub(r"\s+", " ", folded).strip(" ,.;:!?-")
    match = FIELD_NUMBER_RE.fullmatch(folded)
    if match:
        return FIELD_NUMBERS[int(match.group(1))], ""
    if not CORRECTION_RE.search(text):
        return None
    match = FIELD_NUMBER_VALUE_RE.fullmatch(folded)
    if match is None:
        return None
    if _date_in(turn, folded) is not None:
        return "date", folded
    return FIELD_NUMBERS[int(match.group(1))], match.group(2)


def _named_field(text: str) -> tuple[str, str] | None:
    """Return (field, new value) for "salah nama", "ganti tanggal Senin", "NIK salah ..."."""
    if not CORRECTION_RE.search(text):
        return None
    field = next((name for name, pattern in CORRECTED_FIELDS if pattern.search(text)), None)
    if field is None:
        return None
    value = CORRECTION_RE.sub(" ", CORRECTED_FIELDS_RE.sub(" ", text))
    return field, value if value.strip(" ,.;:!?-") else ""


def _switch_session(turn: _Turn, text: str, info: DayInfo | None, bare: bool = False) -> bool:
    """Move the held place to the session the text names ("sesi 3", "jam 10"); False if none.

    A bare number names a session only while moving a booking (or when `bare`): at a new
    booking's summary it is the number of a detail.
    """
    draft = turn.state.draft
    if info is None or info.closed:
        return False
    number = words.number(text, len(info.sessions)) if (draft.moving or bare) else None
    if number is None:
        number, rest = words.session_hint(text, _day_starts(info))
        if number is not None and _date_in(turn, rest) is not None:
            return False  # another date too: a correction of the date
    chosen = _session_by_number(info, number)
    if chosen is None:
        return False
    if chosen.id == draft.session_id:
        turn.say("move_confirm_hint" if draft.moving else "confirm_hint")  # the place it holds
    elif chosen.available <= 0:
        turn.say("session_no_places", number=chosen.number)
        _ask_session_again(turn, info)
    else:
        _hold(turn, chosen)
    return True


CORRECTED_FIELDS_RE = re.compile(
    r"\b(?:nama|name|nik|ktp|tanggal|tgl|date|layanan|service|jenis|tipe|type)\b\s*:?", re.I
)


def _with_detail(draft: Draft, field: str, value: str | dt.date | None) -> Draft:
    """Return the draft with one detail set (None: taken back; a new date drops the session)."""
    text = value if isinstance(value, str) else None
    if field == "date":  # the session is kept: the same one on the new day, if it has places
        return replace(draft, date=value if isinstance(value, dt.date) else None)
    if field == "name":
        return replace(draft, name=text)
    if field == "nik":
        return replace(draft, nik=text)
    if field == "service":
        return replace(draft, service=text)
    return replace(draft, passport_type=text)


def _ask_session_again(turn: _Turn, info: DayInfo) -> None:
    turn.go(Step.SESSION)
    _ask_session(turn, info)


def _offer_family(turn: _Turn) -> None:
    """Offer to book a family member the same way, while the number may hold another booking."""
    if len(turn.facts.bookings) + 1 < turn.facts.max_bookings:
        turn.say("booked_family")


def _confirmation_note(turn: _Turn, day: dt.date) -> str:
    """Tell a new booking whether it must still be confirmed after a reminder, or is already."""
    facts = turn.facts
    if facts.confirmed_through is None:
        return ""
    if day <= facts.confirmed_through:
        return " " + render("booked_confirmed", turn.state.lang)
    return " " + render("booked_remind", turn.state.lang, time=facts.reminder_at, deadline=facts.confirm_by)


def _picked(turn: _Turn, text: str, prompt: str) -> str | None:
    """Return the code of the booking the citizen picked (its code or its number), or re-ask."""
    code = words.booking_code(text)
    choice = words.number(text, len(turn.facts.bookings))
    if code is None and choice is not None:
        code = turn.facts.bookings[choice - 1].code
    if code is not None and _find_booking(turn, code) is not None:
        return code
    if not turn.facts.bookings:
        turn.reset()
        turn.say("no_bookings")
        return None
    turn.puzzled("unknown_code" if code else "not_understood")
    turn.say(prompt, bookings=_booking_codes(turn))
    return None


def _on_cancel_pick(turn: _Turn, text: str) -> None:
    code = _picked(turn, text, "pick_cancel")
    if code is not None:
        _ask_cancel(turn, code)


def _on_cancel_confirm(turn: _Turn, text: str) -> None:
    code = turn.state.draft.cancelling
    if words.is_yes(text):
        turn.reset()
        if code is None or _find_booking(turn, code) is None:
            turn.say("unknown_code")
            return
        if turn.ask(CancelBooking(code)):
            turn.say("cancelled", code=code)
            _say_pending(turn, answered=code)
    elif words.is_no(text):
        turn.reset()
        turn.say("kept", code=code)
    else:
        turn.puzzled("yes_no_hint")


def _on_move_pick(turn: _Turn, text: str) -> None:
    code = _picked(turn, text, "pick_move")
    if code is not None:
        _start_move(turn, code)


def _prompt(turn: _Turn) -> None:
    """Say again what the current step expects (after a language switch or an attachment)."""
    step_name = turn.state.step
    draft = turn.state.draft
    if step_name == Step.SESSION and draft.date and draft.date in turn.facts.days:
        _ask_session(turn, turn.facts.days[draft.date])
    elif step_name in (Step.DATE, Step.SESSION):
        _ask_date(turn)
    elif step_name == Step.CANCEL_CONFIRM:
        _ask_cancel(turn, draft.cancelling)
    elif step_name in (Step.CANCEL_PICK, Step.MOVE_PICK):
        turn.say("pick_cancel" if step_name == Step.CANCEL_PICK else "pick_move", bookings=_booking_codes(turn))
    elif step_name == Step.CONFIRM and draft.moving:
        turn.say("move_confirm_hint")
    else:
        if step_name == Step.SERVICE and draft == Draft(child=draft.child):
            turn.say("ask_details_child" if draft.child else "ask_details")
            return
        if step_name in ("name", "nik") and draft.child:
            turn.say(f"ask_{step_name}_child")
            return
        PROMPTS = {
            "service": "ask_service",
            "passport_type": "ask_passport_type",
            "name": "ask_name",
            "nik": "ask_nik",
            "confirm": "confirm_hint",
        }
        if step_name in PROMPTS:
            turn.say(PROMPTS[step_name])
        else:
            _menu(turn)


Handler = Callable[[_Turn, Event], None]


def _answer(handler: Callable[[_Turn, str], None]) -> Handler:
    """A step's own handler of an answer to its question (it reads the text)."""

    def run(turn: _Turn, event: Event) -> None:
        handler(turn, event.text)

    return run


ANY = None  # a row of the table that applies at every step without a row of its own
# The one transition table: (step, event) -> the handler that answers it.
TRANSITIONS: dict[tuple[Step | None, EventKind], Handler] = {
    (ANY, EventKind.STOP): _on_stop,
    (ANY, EventKind.OPTED_OUT): _on_opted_out,
    (ANY, EventKind.START): _on_start,
    (ANY, EventKind.HANDOVER): _on_handover,
    (ANY, EventKind.LANGUAGE): _on_language,
    (ANY, EventKind.EMPTY): _on_empty,
    (ANY, EventKind.REMINDER_YES): _on_reminder_yes,
    (ANY, EventKind.REMINDER_CANCEL): _on_reminder_cancel,  # classified at the menu only
    (ANY, EventKind.REMINDER_NO): _on_reminder_no,  # classified at the menu only
    (ANY, EventKind.QUESTION): _on_question,
    (ANY, EventKind.COMMAND): _on_command,
    (Step.MENU, EventKind.ANSWER): _answer(_on_menu),
    (Step.SERVICE, EventKind.ANSWER): _answer(_collecting(_on_service)),
    (Step.PASSPORT_TYPE, EventKind.ANSWER): _answer(_collecting(_on_passport_type)),
    (Step.NAME, EventKind.ANSWER): _answer(_collecting(_on_name)),
    (Step.NIK, EventKind.ANSWER): _answer(_collecting(_on_nik)),
    (Step.DATE, EventKind.ANSWER): _answer(_collecting(_on_date)),
    (Step.SESSION, EventKind.ANSWER): _answer(_on_session),
    (Step.CONFIRM, EventKind.ANSWER): _answer(_on_confirm),
    (Step.CANCEL_PICK, EventKind.ANSWER): _answer(_on_cancel_pick),
    (Step.CANCEL_CONFIRM, EventKind.ANSWER): _answer(_on_cancel_confirm),
    (Step.MOVE_PICK, EventKind.ANSWER): _answer(_on_move_pick),
}

# How each refusable effect's refusal is answered (see _Turn.ask).
REFUSALS: dict[type[Effect], Callable[[_Turn, Effect, Refusal], None]] = {
    HoldPlace: _place_refused,
    ConfirmHold: _place_refused,
    ConfirmBooking: _booking_refused,
    CancelBooking: _booking_refused,
    JoinWaitlist: _waitlist_refused,
}
