"""The conversation state machine: step(state, message, now, facts) -> Outcome.

Pure: no I/O and no clock. Storage gives the facts, applies the effects and, when it must
refuse one (the last place went to someone else a moment ago), runs the step again with
`facts.refusal` set so that the machine can answer the citizen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Unpack

from conversations import words
from conversations.catalogue import MESSAGES, render
from conversations.dates import format_date, parse_date, weekday_conflict, weekday_name
from conversations.details import Details, read_details
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
from conversations.facts import BookingInfo, DayInfo, Facts, SessionInfo
from conversations.names import check_name, is_greeting, name_label
from conversations.nik import find_nik, mask_nik, read_nik, remove_nik
from conversations.questions import answer_text, find_question
from conversations.state import Draft, DraftChanges, State
from conversations.vocabulary import RefusalReason

STUCK_LIMIT = 3  # messages in a row the bot did not understand before it calls an officer
BOOKING_STEPS = frozenset({"service", "passport_type", "name", "nik", "date", "session", "confirm"})
MENU_CHOICES = {1: "book", 2: "status", 3: "move", 4: "cancel", 5: "documents", 6: "agent"}
SERVICE_CHOICES = {1: "new", 2: "renewal", 3: "lost", 4: "damaged"}
TYPE_CHOICES = {1: "ordinary", 2: "electronic"}
# What the draft must already hold at each step; a state that lacks it (an old or damaged
# state from storage) starts again at the menu rather than failing half-way.
DRAFT_NEEDS = {
    "passport_type": ("service",),
    "name": ("service", "passport_type"),
    "nik": ("service", "passport_type", "name"),
    "date": ("service", "passport_type", "name"),
    "session": ("service", "passport_type", "name", "date"),
    "confirm": ("service", "passport_type", "name", "date", "session_id"),
    "cancel_confirm": ("cancelling",),
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

    def puzzled(self, message_id: str, **params: object) -> None:
        """Say what the bot says when it did not understand the message (it counts, see outcome)."""
        self.understood = False
        self.say(message_id, **params)

    def go(self, step: str, **draft_changes: Unpack[DraftChanges]) -> None:
        self.state = replace(self.state, step=step, draft=replace(self.state.draft, **draft_changes))

    def reset(self) -> None:
        """Drop the draft (giving back any held place) and return to the menu."""
        if self.state.step in BOOKING_STEPS and self.facts.hold is not None:
            self.effects.append(ReleaseHold())
        self.state = replace(self.state, step="menu", draft=Draft())

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
    text = (message.text or "").strip() if isinstance(message.text, str) else ""
    command, argument = words.keyword(text)

    # Opting out is honoured in every state, even while an officer has the conversation
    # (which it ends: nothing can be sent to the number any more).
    if command == "stop":
        was_out = state.opted_out
        turn.reset()
        turn.state = replace(
            turn.state, opted_out=True, handover=False, lang=words.language_of(text) or turn.state.lang
        )
        # On SMS Twilio confirms its own opt-out words (STOP, END ...) and would block ours.
        sms_confirmed = facts.channel == "sms" and words.is_twilio_stop_word(text)
        if not was_out and not sms_confirmed:
            turn.say("opted_out")
        return turn.outcome()
    if state.opted_out:
        if command != "start":
            return turn.outcome()
        turn.state = replace(turn.state, opted_out=False)
        _menu(turn)
        return turn.outcome()
    if state.handover:
        _in_handover(turn, text, command, argument)
        return turn.outcome()

    if command == "english" or command == "indonesian":
        turn.state = replace(turn.state, lang="en" if command == "english" else "id", lang_known=True)
        _prompt(turn)
        return turn.outcome()
    _follow_language(turn, text, command)

    if not text:
        if message.media:
            turn.say("media_only")
        _prompt(turn)
        return turn.outcome()

    if _answers_reminder(turn, text, command, argument):
        return turn.outcome()
    if command is None and _answers_question(turn, text):
        return turn.outcome()
    if command is not None:
        # START from a number that has not opted out is a wish to begin: the menu.
        _command(turn, "menu" if command == "start" else command, argument, text)
    else:
        STEP_HANDLERS[turn.state.step](turn, text)
    return turn.outcome()


def _follow_language(turn: _Turn, text: str, command: str | None) -> None:
    """Answer in the citizen's language: the first that their words lean to, then keep it.

    Once known, a single word ("booking", "cancel", "thanks kak", "no 2") does not change
    it; only EN/ID or a whole sentence in the other language does. A name says nothing of
    its language ("I Made Wirawan" is Balinese): only the words around it count.
    """
    if command is None and turn.state.step == "name":
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
    fits = state.step in STEP_HANDLERS and all(getattr(draft, name) for name in DRAFT_NEEDS.get(state.step, ()))
    if state.step in ("date", "session", "confirm") and not (draft.nik or draft.moving):
        fits = False
    return state if fits else replace(state, step="menu", draft=Draft())


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
    elif command == "book" and turn.state.step == "confirm":
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


def _answers_question(turn: _Turn, text: str) -> bool:
    """Answer a question asked in a sentence (fees, hours, address, walk-in, documents,
    children), then ask the pending question again; False when the message asks none."""
    facts = turn.facts
    question = find_question(text, facts.questions)
    if question is None:
        return False
    turn.replies.append(
        answer_text(
            question,
            turn.state.lang,
            office=facts.office_name,
            address=facts.office_address,
            hours=facts.hours,
            fees=facts.fees,
            today=facts.today,
            map_url=facts.map_url,
        )
    )
    if turn.state.step != "menu":
        _prompt(turn)
    elif facts.awaiting_confirmation:
        turn.say("reminder_hint", bookings=_awaiting_lines(turn, facts.awaiting_confirmation))
    else:
        turn.say("question_more")
    return True


def _menu(turn: _Turn) -> None:
    turn.say("menu", office=turn.facts.office_name)


def _prompt_again(turn: _Turn) -> None:
    """After an aside (HELP, SYARAT, CEK) in the middle of something, ask its question again."""
    if turn.state.step != "menu":
        _prompt(turn)


# --- answers to a reminder ----------------------------------------------------------------


def _answers_reminder(turn: _Turn, text: str, command: str | None, argument: str) -> bool:
    """Answer a reminder (YA confirms, BATAL cancels) when the message is one; else False.

    YA keeps its own meaning where a question of the conversation awaits it (the booking
    summary, a cancellation); everywhere else it can only answer the reminder, and the step's
    question is asked again after it. A bare BATAL cancels the reminded booking at the menu
    only (elsewhere it stops what is in progress), and only when exactly one awaits: with
    several, the usual BATAL asks which.
    """
    awaiting = turn.facts.awaiting_confirmation
    if not awaiting:
        return False
    step_name = turn.state.step
    if command is None and words.is_yes(text) and step_name not in ("confirm", "cancel_confirm"):
        if turn.facts.refusal is not None:
            turn.say("unknown_code")  # the booking changed meanwhile (an officer cancelled it)
        else:
            _confirm_awaiting(turn)
        _prompt_again(turn)
        return True
    if step_name != "menu":
        return False
    if command == "cancel" and not argument and len(awaiting) == 1:
        if turn.facts.refusal is not None:
            turn.say("unknown_code")
        else:
            turn.effects.append(CancelBooking(awaiting[0].code))
            turn.say("cancelled", code=awaiting[0].code)
        return True
    if command is None and words.is_no(text):
        # "tidak bisa datang", "gak jadi": a cancellation in plain words, asked once more
        # ("Batalkan ...? Balas YA atau TIDAK") since it cannot be undone.
        if len(awaiting) == 1:
            _ask_cancel(turn, awaiting[0].code)
        else:
            turn.go("cancel_pick")
            turn.say("pick_cancel", bookings=_booking_codes(turn))
        return True
    return False


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
    if not awaiting or turn.facts.refusal is not None:
        return
    if command is None and words.is_yes(text):
        _confirm_awaiting(turn)
    elif command == "cancel":
        # The bot cannot ask which booking while the officer has the chat: only a BATAL that
        # names one (or the only one waiting) acts; the officer answers the rest.
        code = words.booking_code(argument) if argument else None
        if code is None and not argument and len(awaiting) == 1:
            code = awaiting[0].code
        if any(b.code == code for b in awaiting):
            turn.effects.append(CancelBooking(code or ""))
            turn.say("cancelled", code=code)


def _confirm_awaiting(turn: _Turn) -> None:
    """Confirm every reminded booking: each reminder asked for a YA, and one YA answers them all.

    Confirming the soonest only would leave the others (a parent's children, say) to be
    released in the evening; a confirmation by mistake costs nothing and BATAL still works.
    """
    awaiting = turn.facts.awaiting_confirmation
    for booking in awaiting:
        turn.effects.append(ConfirmBooking(booking.code))
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
        turn.state.step != "date"
        or day is None
        or not (draft.nik and draft.service and draft.passport_type and draft.name)
    ):
        turn.puzzled("not_understood")
        _prompt(turn)
        return
    refusal = turn.facts.refusal
    if refusal is not None:
        if refusal.reason == RefusalReason.NIK_TAKEN:
            _refused(turn, refusal.reason, refusal.code)
        elif refusal.reason == RefusalReason.WAITLIST_DUPLICATE:
            turn.reset()
            turn.say("waitlist_already", date=turn.day(day))
        else:  # the day can no longer be waited for (it passed, or the office closed it)
            turn.go("date", waiting_for=None)
            turn.puzzled("not_understood")
            _ask_date(turn)
        return
    effect = JoinWaitlist(
        date=day, service=draft.service, passport_type=draft.passport_type, name=draft.name, nik=draft.nik
    )
    turn.reset()
    turn.effects.append(effect)
    turn.say("waitlist_joined", date=turn.day(day), minutes=turn.facts.offer_minutes)


def _status(turn: _Turn) -> None:
    if not turn.facts.bookings:
        turn.say("no_bookings")
        return
    turn.say("bookings_list", bookings="; ".join(_booking_line(turn, b) for b in turn.facts.bookings))


def _booking_line(turn: _Turn, booking: BookingInfo) -> str:
    status = f"status_{booking.status}"
    return render(
        "booking_line",
        turn.state.lang,
        code=booking.code,
        date=turn.day(booking.date),
        start=booking.start,
        end=booking.end,
        status=render(status, turn.state.lang) if status in MESSAGES else booking.status,
    )


def _booking_codes(turn: _Turn) -> str:
    return ", ".join(f"{b.code} {turn.day(b.date)}" for b in turn.facts.bookings)


def _find_booking(turn: _Turn, code: str | None) -> BookingInfo | None:
    return next((b for b in turn.facts.bookings if b.code == code), None)


def _cancel(turn: _Turn, argument: str) -> None:
    if argument:
        turn.reset()
        _ask_cancel(turn, words.booking_code(argument))
    elif turn.state.step in BOOKING_STEPS or turn.state.step in ("cancel_pick", "move_pick"):
        _stop_draft(turn)
    elif turn.state.step == "cancel_confirm":
        _ask_cancel(turn, turn.state.draft.cancelling)
    elif not turn.facts.bookings:
        turn.say("no_bookings")
    elif len(turn.facts.bookings) == 1:
        _ask_cancel(turn, turn.facts.bookings[0].code)
    else:
        turn.go("cancel_pick")
        turn.say("pick_cancel", bookings=_booking_codes(turn))


def _stop_draft(turn: _Turn) -> None:
    """Drop what is in progress and say so in words that cannot be read as a cancelled booking."""
    moving, step_name, offer = turn.state.draft.moving, turn.state.step, turn.state.draft.offer
    turn.reset()
    if moving:
        turn.say("kept", code=moving)
    elif offer and step_name == "confirm":
        turn.say("offer_declined")
    elif step_name in ("cancel_pick", "move_pick"):
        turn.say("nothing_changed")
    else:
        turn.say("draft_cancelled")


def _ask_cancel(turn: _Turn, code: str | None) -> None:
    booking = _find_booking(turn, code)
    if booking is None:
        turn.state = replace(turn.state, step="menu", draft=Draft())
        turn.say("unknown_code")
        return
    turn.go("cancel_confirm", cancelling=booking.code)
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
        turn.go("move_pick")
        turn.say("pick_move", bookings=_booking_codes(turn))


def _start_move(turn: _Turn, code: str | None) -> None:
    booking = _find_booking(turn, code)
    if booking is None:
        turn.state = replace(turn.state, step="menu", draft=Draft())
        turn.say("unknown_code")
        return
    turn.state = replace(
        turn.state,
        step="date",
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
    elif words.service_in(text):
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
    turn.state = replace(turn.state, step="service", draft=Draft())
    found = _read(turn, text)
    if not found.fields:
        turn.go("service", child=found.child)
        turn.say("ask_details_child" if found.child else "ask_details")
        return
    _take_details(turn, found)


# --- the details of a booking: in any order, several in a message ----------------------------

COLLECTING = ("service", "passport_type", "name", "nik", "date")  # in the order they are asked
FIELD_STEPS = {"service": "service", "passport_type": "passport_type", "name": "name", "nik": "nik", "date": "date"}


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
        asked = {step_name} | ({"session"} if step_name == "date" else set())
        whole_name = step_name == "name" and find_nik(text) is None and check_name(text).name is not None
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
    draft = turn.state.draft
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
    nik_problem = None
    if found.nik is not None:
        if found.nik.nik is not None:
            changes["nik"] = found.nik.nik
        else:
            nik_problem = found.nik.problem
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
    new_nik = changes.get("nik")
    if new_nik and new_nik != draft.nik:
        taken = turn.facts.nik_bookings.get(new_nik)
        if taken:
            turn.state = replace(turn.state, step="menu", draft=Draft())
            _say_nik_taken(turn, taken)
            return
    _continue_booking(turn, session=found.session, told=bool(changes))


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
    turn.go("session", session_id=None)
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
        turn.go("passport_type", service=service)
    else:
        turn.go("passport_type", service=service, passport_type=passport_type)
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
    turn.go("passport_type", passport_type=passport_type)
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
    turn.go("nik", name=name)
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
    taken = turn.facts.nik_bookings.get(check.nik)
    if taken:
        turn.state = replace(turn.state, step="menu", draft=Draft())
        _say_nik_taken(turn, taken)
        return
    turn.go("nik", nik=check.nik)
    _continue_booking(turn, one_by_one=True)


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
    turn.go("session", date=day, session_id=None, waiting_for=None)
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
    turn.go("date", date=None, session_id=None, waiting_for=waiting_for)
    return None


def nearest_days(facts: Facts, day: dt.date, count: int = 3) -> list[dt.date]:
    """Return the dates with places left nearest to day, soonest first among equals."""
    open_days = [d for d, info in facts.days.items() if d >= facts.today and info.available > 0]
    return sorted(open_days, key=lambda d: (abs((d - day).days), d))[:count]


def _offer_nearest(turn: _Turn, day: dt.date) -> None:
    # The refused day itself is never offered, even when the facts still show places on it.
    nearest = sorted([d for d in nearest_days(turn.facts, day, count=4) if d != day][:3])
    if nearest:
        turn.say("nearest_dates", dates="; ".join(turn.day(d) for d in nearest))
    else:
        turn.say("no_dates", last=turn.day(turn.facts.last_open_day))


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
            turn.go("date")
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
    refusal = turn.facts.refusal
    draft = turn.state.draft
    if refusal is not None:
        # Storage refused the HoldPlace this message asked for: say why, never ask again.
        _refused(turn, refusal.reason, refusal.code)
        return
    assert draft.date is not None and draft.service and draft.passport_type and draft.name
    turn.effects.append(
        HoldPlace(
            date=draft.date,
            session_id=session.id,
            service=draft.service,
            passport_type=draft.passport_type,
            name=draft.name,
            nik=draft.nik,
            moving=draft.moving,
        )
    )
    turn.go("confirm", session_id=session.id)
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
        turn.say(
            "summary",
            service=render(f"service_{draft.service}", turn.state.lang),
            passport_type=render(f"type_{draft.passport_type}", turn.state.lang),
            name=draft.name,
            nik=mask_nik(draft.nik or ""),
            date=turn.day(draft.date),
            start=session.start,
            end=session.end,
            minutes=turn.facts.hold_minutes,
        )
    if others:
        turn.say("summary_other_sessions", sessions=", ".join(f"{s.number}) {s.start}" for s in others))


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
        turn.go("date", session_id=None)
        _ask_date(turn)
    elif reason == RefusalReason.CLOSED:
        if _check_day(turn, draft.date) is not None:
            # The facts still show the day open; storage knows better (it closed just now).
            turn.say("date_office", date=turn.day(draft.date))
            _offer_nearest(turn, draft.date)
            turn.go("date", date=None, session_id=None)
    else:
        turn.say("hold_lost" if turn.state.step == "confirm" else "session_full")
        info = turn.facts.days.get(draft.date)
        if info is not None and info.available > 0 and not info.closed:
            turn.go("session", session_id=None)
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
    if turn.facts.refusal is not None:
        # Storage refused the ConfirmHold this message asked for.
        _refused(turn, turn.facts.refusal.reason, turn.facts.refusal.code)
        return
    hold = turn.facts.hold
    info = turn.facts.days.get(draft.date) if draft.date else None
    session = next((s for s in info.sessions if s.id == draft.session_id), None) if info else None
    if hold is not None and (hold.date, hold.session_id) != (draft.date, draft.session_id):
        hold = None  # a place held for something else is not this one
    if hold is None or session is None:
        turn.say("hold_lost")
        if draft.date is not None and info is not None and info.available > 0 and not info.closed:
            turn.go("session", session_id=None)
            _ask_session(turn, info)
        elif draft.date is not None:
            _check_day(turn, draft.date)
        else:
            turn.go("date")
            _ask_date(turn)
        return
    turn.effects.append(ConfirmHold(hold.code))
    turn.state = replace(turn.state, step="menu", draft=Draft())
    day = turn.day(hold.date)
    if draft.moving:
        turn.say("moved", code=draft.moving, date=day, start=session.start, end=session.end)
        _say_pending(turn, answered=draft.moving)  # a new date is reminded afresh
        return
    address = turn.facts.office_address
    turn.say(
        "booked",
        code=hold.code,
        date=day,
        start=session.start,
        end=session.end,
        office=turn.facts.office_name,
        address=f", {address}" if address else "",
        documents=render(f"documents_{draft.service}", turn.state.lang),
        confirmation=_confirmation_note(turn, hold.date),
    )
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


def _correct(turn: _Turn, text: str) -> bool:
    """Change one detail at the summary, then show the summary again; False if text is none.

    "salah nama", "ganti tanggal", "NIK salah" ask for that detail again (with the new value
    in the same message, "salah nama, Budi Santosa", it is taken at once); a session's number
    or time ("2", "sesi 3", "jam 10") moves the held place to that session of the same day.
    """
    draft = turn.state.draft
    info = turn.facts.days.get(draft.date) if draft.date else None
    if info is not None and not info.closed:
        number = words.number(text, len(info.sessions))
        if number is None:
            number, rest = words.session_hint(text, _day_starts(info))
            if number is not None and _date_in(turn, rest) is not None:
                number = None  # another date too: read below as a correction of the date
        chosen = _session_by_number(info, number)
        if chosen is not None:
            if chosen.id == draft.session_id:
                turn.say("move_confirm_hint" if draft.moving else "confirm_hint")  # the place it holds
            elif chosen.available <= 0:
                turn.say("session_no_places", number=chosen.number)
                _ask_session_again(turn, info)
            else:
                _hold(turn, chosen)
            return True
    if not CORRECTION_RE.search(text):
        return False
    field = next((name for name, pattern in CORRECTED_FIELDS if pattern.search(text)), None)
    if field is None or (draft.moving and field not in ("date", "session")):
        return False
    if field == "session":
        if info is None:
            return False
        _ask_session_again(turn, info)
        return True
    found = _read(turn, CORRECTION_RE.sub(" ", CORRECTED_FIELDS_RE.sub(" ", text)))
    value = {"name": found.name, "nik": found.nik.nik if found.nik else None, "date": found.date}.get(field)
    value = value or {"service": found.service, "passport_type": found.passport_type}.get(field)
    turn.state = replace(turn.state, step=FIELD_STEPS[field], draft=_with_detail(draft, field, None))
    if value is None:
        _prompt(turn)
        return True
    if field == "nik" and isinstance(value, str):
        taken = turn.facts.nik_bookings.get(value)
        if taken:
            turn.reset()
            _say_nik_taken(turn, taken)
            return True
    turn.state = replace(turn.state, draft=_with_detail(turn.state.draft, field, value))
    _continue_booking(turn, session=found.session)
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
    turn.go("session")
    _ask_session(turn, info)


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
        turn.state = replace(turn.state, step="menu", draft=Draft())
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
        turn.state = replace(turn.state, step="menu", draft=Draft())
        if turn.facts.refusal is not None or _find_booking(turn, code) is None:
            turn.say("unknown_code")
            return
        turn.effects.append(CancelBooking(code or ""))
        turn.say("cancelled", code=code)
        _say_pending(turn, answered=code)
    elif words.is_no(text):
        turn.state = replace(turn.state, step="menu", draft=Draft())
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
    if step_name == "session" and draft.date and draft.date in turn.facts.days:
        _ask_session(turn, turn.facts.days[draft.date])
    elif step_name in ("date", "session"):
        _ask_date(turn)
    elif step_name == "cancel_confirm":
        _ask_cancel(turn, draft.cancelling)
    elif step_name in ("cancel_pick", "move_pick"):
        turn.say("pick_cancel" if step_name == "cancel_pick" else "pick_move", bookings=_booking_codes(turn))
    elif step_name == "confirm" and draft.moving:
        turn.say("move_confirm_hint")
    else:
        if step_name == "service" and draft == Draft(child=draft.child):
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


STEP_HANDLERS = {
    "menu": _on_menu,
    "service": _collecting(_on_service),
    "passport_type": _collecting(_on_passport_type),
    "name": _collecting(_on_name),
    "nik": _collecting(_on_nik),
    "date": _collecting(_on_date),
    "session": _on_session,
    "confirm": _on_confirm,
    "cancel_pick": _on_cancel_pick,
    "cancel_confirm": _on_cancel_confirm,
    "move_pick": _on_move_pick,
}
