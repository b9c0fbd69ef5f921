"""Random conversations against an in-memory office: the machine's promises hold whatever is sent.

Each example is a sequence of events: messages drawn from what citizens really send (keywords,
choices, names, NIKs, dates of many forms, yes and no, junk) or arbitrary text, and changes in
the world (time passes, other citizens take places, the office closes a day, an officer hands
back). `World` applies the effects with capacity 2 a session, so days fill up, and refuses
effects as storage does.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations import words
from conversations.channels import GSM7, GSM7_EXTENDED
from conversations.effects import CancelBooking, ConfirmBooking, ConfirmHold, HoldPlace, JoinWaitlist
from conversations.facts import Facts
from conversations.machine import BOOKING_STEPS, Inbound, Outcome, sane_state, step
from conversations.state import STEPS, State
from tests.conversations.test_machine import (
    AT_CONFIRM,
    AT_DATE,
    AT_NAME,
    AT_NIK,
    AT_SESSION,
    AT_TYPE,
    CODE,
    MOVING,
    NIK,
    NIK2,
    NOW,
    SESSIONS,
    Booked,
    Draft,
    World,
    make_booking,
    make_facts,
    make_hold,
)

NIK3 = "3273014107950003"  # Bandung, a woman born 1 July 1995
MESSAGES = [
    # keywords, as typed
    *sorted(words.KEYWORDS),
    "menu",
    "batal",
    "Batal.",
    "cek",
    "ubah",
    "syarat",
    "petugas",
    "stop",
    "mulai",
    "help!",
    "saya mau batal",
    "cancel my booking",
    "BATAL {code}",
    "UBAH {code}",
    "cancel {code}",
    "BATAL PLG-AAAAAA",
    "batal plg7k3qxm",
    # choices
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "10",
    "99",
    "1.",
    "2)",
    # services and passport types
    "baru",
    "perpanjang",
    "hilang",
    "rusak",
    "new",
    "renewal",
    "lost",
    "damaged",
    "baru elektronik",
    "lost ordinary",
    "biasa",
    "elektronik",
    "e-paspor",
    "non elektronik",
    "paspor baru elektronik",
    "baru atau hilang",
    # names, alone and with a NIK
    "Budi Santoso",
    "Siti Aminah",
    "I Made Wirawan",
    "Nama: Dewi Lestari",
    "my name is John",
    "José Ñúñez",
    "李明",
    "x",
    f"Budi Santoso {NIK}",
    f"Siti Aminah, NIK {NIK2}",
    # NIKs, valid and not
    NIK,
    NIK2,
    NIK3,
    "1671 0145 0190 0001",
    "9971014501900001",
    "1671019901900001",
    "1671014501900000",
    NIK[:-1],
    NIK + "9",
    f"NIK saya {NIK3}",
    # dates of many forms, with sessions
    "besok",
    "lusa",
    "hari ini",
    "kemarin",
    "Senin",
    "Sabtu",
    "Minggu",
    "hari Jumat",
    "Senin depan",
    "5/12",
    "24/12",
    "25 Desember",
    "31/12",
    "1/1/2027",
    "2/12/2025",
    "tgl 10",
    "3 hari lagi",
    "tomorrow",
    "next monday",
    "Saturday",
    "December 9",
    "besok sesi 2",
    "5/12 jam 10",
    "Kamis jam 13",
    "Rabu 08:00",
    "tomorrow session 3",
    "minggu depan",
    # sessions
    "sesi 1",
    "sesi 3",
    "sesi 9",
    "jam 8",
    "jam 9",
    "10:00",
    "13.00",
    "session 2",
    # yes and no
    "YA",
    "ya",
    "Ya!",
    "ya benar",
    "iya",
    "yes",
    "ok",
    "\U0001f44d",
    "TIDAK",
    "no",
    "gak jadi",
    "ya tidak",
    # junk
    "",
    "   ",
    "asdf",
    "???",
    "\U0001f600",
    "\U0001f1ee\U0001f1e9",
    "a" * 1000,
    "\x00",
    "\u202e",
    "halo",
    "hello",
    "terima kasih",
    "{code}",
    "{}",
    "%s",
    "{0}",
]

# What a citizen is likely to send at each step (drawn more often than the rest).
BY_STEP = {
    "menu": [
        "1",
        "1",
        "2",
        "3",
        "4",
        "5",
        "CEK",
        "UBAH",
        "BATAL",
        "baru elektronik",
        "BATAL {code}",
        "UBAH {code}",
        "YA",
        "TIDAK",
    ],
    "service": ["1", "2", "3", "4", "baru", "lost ordinary", "hilang", "9"],
    "passport_type": ["1", "2", "biasa", "elektronik", "3"],
    "name": ["Budi Santoso", "Siti Aminah", f"Budi Santoso {NIK}", f"Siti Aminah {NIK2}", f"Dewi {NIK3}", "12345"],
    "nik": [NIK, NIK2, NIK3, "1671 0145 0190 0001", "9971014501900001", NIK[:-1]],
    "date": [
        "besok",
        "lusa",
        "hari ini",
        "Senin",
        "Sabtu",
        "24/12",
        "1/1/2027",
        "kemarin",
        "besok sesi 2",
        "5/12 jam 10",
        "Kamis jam 13",
        "tomorrow",
        "tgl 10",
        "Rabu 08:00",
        "TUNGGU",
        "wait",
        "YA",
    ],
    "session": ["1", "2", "3", "sesi 2", "jam 13", "4", "Senin", "lusa sesi 1", "Sabtu"],
    "confirm": ["YA", "ya", "yes", "ok", "TIDAK", "no", "BATAL", "mungkin", "\U0001f44d"],
    "cancel_pick": ["1", "2", "{code}", "3", "BATAL"],
    "cancel_confirm": ["YA", "yes", "TIDAK", "no", "hmm"],
    "move_pick": ["1", "2", "{code}", "xyz"],
}
message = st.one_of(
    st.sampled_from(MESSAGES),
    st.sampled_from(MESSAGES).map(str.lower),
    st.sampled_from(MESSAGES).map(lambda m: f" {m.upper()}!! "),
    st.text(max_size=40),
)


def race_full(world: World, effects) -> None:
    """Other citizens take the last places of the session being held or confirmed."""
    for effect in effects:
        if isinstance(effect, HoldPlace):
            world.fill(effect.date, effect.session_id)
        if isinstance(effect, ConfirmHold) and world.hold:
            world.now += dt.timedelta(minutes=11)  # the hold lapses too
            world.fill(world.hold.day, world.hold.session_id)


def race_close(world: World, effects) -> None:
    """The office closes the day being held."""
    for effect in effects:
        if isinstance(effect, HoldPlace):
            world.closed[effect.date] = "office"


def race_cancel(world: World, effects) -> None:
    """An officer cancels the booking being moved or cancelled."""
    for effect in effects:
        code = effect.code if isinstance(effect, CancelBooking) else None
        if isinstance(effect, (HoldPlace, ConfirmHold)) and world.state.draft.moving:
            code = world.state.draft.moving
        if code in world.bookings:
            world.bookings[code].status = "cancelled"


def race_nik(world: World, effects) -> None:
    """Another phone books the NIK being held or confirmed."""
    for effect in effects:
        nik = effect.nik if isinstance(effect, HoldPlace) else None
        if isinstance(effect, ConfirmHold) and world.hold:
            nik = world.hold.effect.nik
        if nik:
            world.other_niks[nik] = "PLG-ZZZZZ2"


def race_limit(world: World, effects) -> None:
    """The phone's other conversation books up to the limit just before a hold.

    (Only before a hold: storage checks the limit when it holds a place, not when it confirms.)
    """
    if not any(isinstance(effect, HoldPlace) and not effect.moving for effect in effects):
        return
    for _n in range(world.max_bookings - len(world.active())):
        code = world.new_code()
        world.bookings[code] = Booked(code, world.today + dt.timedelta(days=1), 1, "new", "ordinary", "Lain", None)


RACES = [race_full, race_close, race_cancel, race_nik, race_limit]
WORLD_EVENTS = st.one_of(
    st.tuples(st.just("later"), st.sampled_from([3, 11, 60 * 4, 60 * 24])),
    st.tuples(st.just("others"), st.integers(0, 12), st.sampled_from([s[0] for s in SESSIONS])),
    st.tuples(st.just("close"), st.integers(0, 12)),
    st.tuples(st.just("other_nik"), st.sampled_from([NIK, NIK2, NIK3])),
    st.tuples(st.just("handback")),
    st.tuples(st.just("race"), st.sampled_from(RACES)),
    st.tuples(st.just("remind")),
    st.tuples(st.just("fill"), st.integers(1, 4)),  # a whole day fills: its waiting list opens
)


def draw_event(data, world: World):
    """Draw the next event: mostly what the step expects, sometimes anything at all."""
    kind = data.draw(st.sampled_from(["step"] * 6 + ["any"] * 3 + ["world"] * 2), label="kind")
    state = world.state
    if kind == "step" and state.opted_out:
        return ("send", data.draw(st.sampled_from(["MULAI", "START", "halo", "STOP"])), 0)
    if kind == "step" and state.handover:
        return data.draw(
            st.sampled_from(
                [
                    ("handback",),
                    ("send", "halo", 0),
                    ("send", "MENU", 0),
                    ("send", "YA", 0),
                    ("send", "BATAL", 0),
                    ("remind",),
                ]
            )
        )
    if kind == "step":
        text = data.draw(st.sampled_from(BY_STEP.get(state.step, MESSAGES)), label="text")
        return ("send", text, 0)
    if kind == "any":
        return ("send", data.draw(message, label="text"), data.draw(st.sampled_from([0, 0, 0, 1])))
    if state.step in ("date", "session", "confirm", "cancel_confirm") and data.draw(st.booleans()):
        # Just before an effect is applied is when a race hurts.
        return ("race", data.draw(st.sampled_from(RACES), label="race"))
    return data.draw(WORLD_EVENTS, label="event")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7 or ch in GSM7_EXTENDED for ch in text)


class Checks:
    """The machine's promises, checked on every run of the step (refused runs too)."""

    def __init__(self) -> None:
        self.sent = ""  # everything the citizen wrote: a reply may echo it (a name, say)

    def __call__(self, state: State, text: str, facts: Facts, outcome: Outcome) -> None:
        command, argument = words.keyword(text.strip())
        if facts.channel == "sms" and words.is_twilio_stop_word(text):
            command, argument = "stop", ""  # Twilio opts the number out on these words (CANCEL too)
        if state.opted_out and facts.channel == "sms" and words.is_twilio_start_word(text):
            command = "start"  # ... and in again on these (YES too)
        effects = outcome.effects
        # A booking is made only by a YA in the confirm step; a cancellation only by a YA to it,
        # or by a BATAL answering the reminder of that very booking.
        awaiting = {b.code for b in facts.awaiting_confirmation}
        for effect in effects:
            if isinstance(effect, ConfirmHold):
                assert state.step == "confirm" and words.is_yes(text), (state, text)
                assert facts.hold is not None and effect.code == facts.hold.code
            if isinstance(effect, CancelBooking):
                answers_reminder = (
                    command == "cancel" and effect.code in awaiting and (state.step == "menu" or state.handover)
                )
                assert answers_reminder or (state.step == "cancel_confirm" and words.is_yes(text)), (state, text)
                assert effect.code in {b.code for b in facts.bookings}
            if isinstance(effect, ConfirmBooking):
                assert words.is_yes(text) and effect.code in awaiting, (state, text)
                assert state.handover or state.step not in ("confirm", "cancel_confirm")
            if isinstance(effect, JoinWaitlist):
                assert command == "waitlist" and state.step == "date", (state, text)
                assert effect.date == state.draft.waiting_for and effect.date > facts.today
                assert effect.nik == state.draft.nik
            if isinstance(effect, HoldPlace):
                # Once every detail is in hand: at any step collecting them (a message may give
                # several, in any order), or a session chosen again at the summary.
                assert state.step in ("service", "passport_type", "name", "nik", "date", "session", "confirm"), (
                    state,
                    text,
                )
                info = facts.days[effect.date]
                assert facts.today <= effect.date <= facts.last_day
                assert not info.closed
                session = next(s for s in info.sessions if s.id == effect.session_id)
                assert session.available > 0, (effect, session)
                assert effect.nik or effect.moving
        assert sum(isinstance(e, (HoldPlace, ConfirmHold, CancelBooking, JoinWaitlist)) for e in effects) <= 1
        # What storage refused is never asked for again in the same message.
        if facts.refusal is not None:
            assert not any(
                isinstance(e, (HoldPlace, ConfirmHold, CancelBooking, ConfirmBooking, JoinWaitlist)) for e in effects
            )
        # Silence towards an opted-out number and during a handover (but for a short answer
        # to a reminder that acted on it).
        if state.opted_out and command != "start":
            assert outcome.replies == () and outcome.state.opted_out
        elif (
            state.handover
            and not state.opted_out
            and command != "stop"
            and not facts.officer_assigned
            and (
                command in ("menu", "start", "book", "agent")
                or (command == "cancel" and not argument and not facts.awaiting_confirmation)
            )
        ):
            # Waiting for an officer nobody assigned: MENU (START, PESAN, a BATAL of nothing)
            # gives the chat back to the bot, PETUGAS says again how.
            assert outcome.replies
            assert outcome.state.handover == (command == "agent")
        elif state.handover and not state.opted_out and command != "stop":
            assert outcome.state == state
            if facts.refusal is None:
                assert bool(outcome.replies) == bool(outcome.effects)
            else:  # a reminded booking changed meanwhile: said so, nothing done
                assert not outcome.effects and len(outcome.replies) <= 1
            assert all(isinstance(e, (ConfirmBooking, CancelBooking)) for e in outcome.effects)
        elif not (command == "stop" and (state.opted_out or facts.channel == "sms")):
            assert outcome.replies, (state, text)
        if outcome.state.opted_out:
            assert not outcome.state.handover
        # Replies: non-empty, short, GSM-7 (but for what the citizen wrote and the bot echoes).
        self.sent += text
        for reply in outcome.replies:
            assert reply.strip()
            assert len(reply) <= 480, reply
            # A name is echoed NFKC-normalised ("µ" typed comes back as "μ").
            sent = self.sent + unicodedata.normalize("NFKC", self.sent)
            assert all(is_gsm7(ch) or ch in sent for ch in reply), reply
        assert outcome.state.step in STEPS
        assert State.from_json(outcome.state.to_json()) == outcome.state


def happen(world: World, kind: str, *args) -> None:
    """Let one event happen in the world, then check the world's own rules."""
    if kind == "send":
        text, media = args
        codes = [b.code for b in world.active()] or [CODE]
        world.send(text.replace("{code}", codes[-1]), media)
    elif kind == "later":
        world.now += dt.timedelta(minutes=args[0])
    elif kind == "others":
        day = world.today + dt.timedelta(days=args[0])
        world.others[(day, args[1])] = world.others.get((day, args[1]), 0) + 1
    elif kind == "close":
        world.closed[world.today + dt.timedelta(days=args[0])] = "office"
    elif kind == "other_nik":
        world.other_niks[args[0]] = "PLG-ZZZZZ2"
    elif kind == "handback":
        world.state = replace(world.state, handover=False)
    elif kind == "race":
        world.race = args[0]
    elif kind == "remind":
        world.remind()
    elif kind == "fill":
        world.fill(world.today + dt.timedelta(days=args[0]))
    active = world.active()
    assert len(active) <= world.max_bookings
    niks = [b.nik for b in active if b.nik]
    assert len(niks) == len(set(niks))
    # A live hold belongs to a booking in progress (a detail being corrected at the summary
    # keeps it, so the place is not lost over a typo): leaving the booking gives it back.
    if world.hold is not None and world.hold.expires_at > world.now:
        assert world.state.step in BOOKING_STEPS


def play(world: World, events) -> None:
    world.observer = Checks()
    for event in events:
        happen(world, *event)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), channel=st.sampled_from(["whatsapp", "sms"]))
def test_random_conversations(data, channel):
    world = World(capacity=2, max_bookings=2, channel=channel, observer=Checks())
    for _ in range(data.draw(st.integers(0, 50), label="length")):
        happen(world, *draw_event(data, world))


# A citizen who means to book, interrupted anywhere by anything.
BOOKING = ["1", "baru elektronik", "Budi Santoso", NIK, "besok", "2", "YA"]


ANY_EVENT = st.one_of(st.tuples(st.just("send"), message, st.just(0)), WORLD_EVENTS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.lists(ANY_EVENT, max_size=6),
    middle=st.lists(ANY_EVENT, max_size=6),
    start=st.integers(0, len(BOOKING)),
)
def test_random_interruptions_of_a_booking(prefix, middle, start):
    events = prefix + [("send", text, 0) for text in BOOKING[:start]] + middle
    events += [("send", text, 0) for text in BOOKING[start:]] + [("send", "CEK", 0)]
    play(World(capacity=2), events)


STATES = [
    State(),
    State(step="service"),
    State(step="passport_type", draft=AT_TYPE),
    State(step="name", draft=AT_NAME),
    State(step="nik", draft=AT_NIK),
    State(step="date", draft=AT_DATE),
    State(step="session", draft=AT_SESSION),
    State(step="confirm", draft=AT_CONFIRM),
    State(step="date", draft=MOVING),
    State(step="cancel_pick"),
    State(step="cancel_confirm", draft=Draft(cancelling=CODE)),
    State(step="move_pick"),
    State(step="confirm"),
    State(step="bogus", lang="fr"),
    State(step="date", draft=replace(AT_DATE, waiting_for=AT_SESSION.date)),
    State(step="confirm", draft=replace(AT_CONFIRM, offer=True)),
    State(handover=True),
    State(opted_out=True),
]


@settings(max_examples=300, deadline=None)
@given(
    state=st.sampled_from(STATES),
    lang=st.sampled_from(["id", "en"]),
    text=st.one_of(st.text(max_size=200), st.sampled_from(MESSAGES)),
    media=st.integers(0, 3),
    facts=st.fixed_dictionaries(
        {
            "bookings": st.sampled_from([(), (make_booking(),), (make_booking(), make_booking("PLG-9ZZT4B"))]),
            "awaiting": st.sampled_from([0, 1, 2]),
            "hold": st.sampled_from([None, make_hold()]),
            "refusal": st.sampled_from(
                [None, "full", "nik_taken", "phone_limit", "hold_lost", "unknown_booking", "closed"]
            ),
            "channel": st.sampled_from(["whatsapp", "sms"]),
            "full": st.sampled_from([(), [AT_SESSION.date]]),
        }
    ),
)
def test_any_text_in_any_state(state, lang, text, media, facts):
    state = replace(state, lang=lang)
    awaiting = facts.pop("awaiting")
    facts = make_facts(**facts)
    facts = replace(facts, awaiting_confirmation=facts.bookings[:awaiting])
    outcome = step(state, Inbound(text, media), NOW, facts)
    # A stored state whose step lacks its draft (a summary with nothing to book) is read as
    # the menu: the promises hold for the state the machine acts on.
    Checks()(sane_state(state), text, facts, outcome)
