"""The conversation machine, table-driven: (state, message) -> next step, effects, reply.

`make_facts` builds what storage would give the machine; `World` plays storage for whole
conversations (it applies the effects, refuses what storage would refuse, and feeds the facts
back), so a walkthrough reads like the chat a citizen has with the hotline.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import pytest

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
from conversations.facts import BookingInfo, DayInfo, Facts, HoldInfo, Refusal, SessionInfo
from conversations.machine import Inbound, Outcome, nearest_days, step
from conversations.questions import DEFAULT_FEES, DEFAULT_QUESTIONS
from conversations.state import Draft, State

WIB = dt.timezone(dt.timedelta(hours=7))
TODAY = date(2026, 12, 1)  # a Tuesday
NOW = dt.datetime(2026, 12, 1, 7, 0, tzinfo=WIB)  # before the first session starts
OFFICE = "Kantor Imigrasi Palembang"
SESSIONS = ((1, "08:00", "10:00"), (2, "10:00", "12:00"), (3, "13:00", "15:00"))
CAPACITY = 50
HOLIDAYS = {date(2026, 12, 24): "Cuti Bersama Natal", date(2026, 12, 25): "Hari Raya Natal"}
NIK = "1671014501900001"  # Palembang, a woman born 5 January 1990
NIK2 = "3171021203850002"  # Jakarta, a man born 12 March 1985
CODE = "PLG-7K3QXM"
CODE2 = "PLG-9ZZT4B"

WEDNESDAY = date(2026, 12, 2)
THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)
SATURDAY = date(2026, 12, 5)
MONDAY = date(2026, 12, 7)


def make_facts(
    today: date = TODAY,
    *,
    full: Iterable[date | tuple[date, int]] = (),
    taken: Mapping[tuple[date, int], int] | None = None,
    closed: Mapping[date, str] | None = None,
    bookings: Iterable[BookingInfo] = (),
    hold: HoldInfo | None = None,
    nik_bookings: Mapping[str, str] | None = None,
    refusal: Refusal | str | None = None,
    capacity: int = CAPACITY,
    book_ahead_days: int = 30,
    max_bookings: int = 5,
    channel: str = "whatsapp",
    office_name: str = OFFICE,
    office_address: str | None = "Jl. Jenderal Sudirman No. 1",
    started: Iterable[int] = (),
) -> Facts:
    """Return the facts storage would load: today..today+book_ahead_days, three sessions a day.

    full: whole days, or (day, session id) pairs, with no place left; taken: places gone per
    (day, session id); closed: extra closed days (day -> "office", "holiday" ...); started:
    session ids of today that have already begun (no places left in them).
    """
    full = set(full)
    taken = dict(taken or {})
    closed = dict(closed or {})
    days: dict[date, DayInfo] = {}
    for offset in range(book_ahead_days + 1):
        day = today + dt.timedelta(days=offset)
        reason, holiday = closed.get(day), None
        if reason == "holiday" or (reason is None and day in HOLIDAYS):
            reason, holiday = "holiday", HOLIDAYS.get(day, "Libur")
        elif reason is None and day.weekday() >= 5:
            reason = "weekday"
        if reason:
            days[day] = DayInfo(day, closed=reason, holiday=holiday)
            continue
        sessions = []
        for number, (session_id, start, end) in enumerate(SESSIONS, start=1):
            left = capacity - taken.get((day, session_id), 0)
            if day in full or (day, session_id) in full or (day == today and session_id in started):
                left = 0
            sessions.append(SessionInfo(session_id, number, start, end, capacity, max(left, 0)))
        days[day] = DayInfo(day, sessions=tuple(sessions))
    if isinstance(refusal, str):
        refusal = Refusal(refusal)
    return Facts(
        office_name=office_name,
        office_address=office_address,
        today=today,
        book_ahead_days=book_ahead_days,
        days=days,
        bookings=tuple(bookings),
        hold=hold,
        nik_bookings=dict(nik_bookings or {}),
        max_bookings=max_bookings,
        channel=channel,
        refusal=refusal,
        questions=DEFAULT_QUESTIONS,
        fees=DEFAULT_FEES,
    )


def make_booking(
    code: str = CODE,
    day: date = THURSDAY,
    session_id: int = 2,
    *,
    service: str = "new",
    passport_type: str = "electronic",
    name: str = "Budi Santoso",
    nik: str = NIK,
    status: str = "booked",
) -> BookingInfo:
    """Return one of the citizen's active bookings."""
    _, start, end = SESSIONS[session_id - 1]
    return BookingInfo(code, day, start, end, status, service, passport_type, name, nik[-4:])


def make_hold(code: str = CODE, day: date = THURSDAY, session_id: int = 2, minutes: int = 10) -> HoldInfo:
    return HoldInfo(code, day, session_id, NOW + dt.timedelta(minutes=minutes))


# The drafts a citizen has at each step of a new booking.
AT_TYPE = Draft(service="new")
AT_NAME = Draft(service="new", passport_type="electronic")
AT_NIK = replace(AT_NAME, name="Budi Santoso")
AT_DATE = replace(AT_NIK, nik=NIK)
AT_SESSION = replace(AT_DATE, date=THURSDAY)
AT_CONFIRM = replace(AT_SESSION, session_id=2)
MOVING = Draft(service="new", passport_type="electronic", name="Budi Santoso", moving=CODE)


def at(step_name: str, draft: Draft = Draft(), lang: str = "id", **flags: bool) -> State:
    return State(step=step_name, lang=lang, draft=draft, **flags)


def run(state: State, text: str, facts: Facts | None = None, now: dt.datetime = NOW, media: int = 0) -> Outcome:
    return step(state, Inbound(text, media), now, facts or make_facts())


def kinds(effects: Iterable[Effect]) -> list[str]:
    return [type(effect).__name__ for effect in effects]


# --- a storage stand-in for whole conversations ------------------------------------------

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Held:
    code: str
    day: date
    session_id: int
    effect: HoldPlace
    expires_at: dt.datetime


@dataclass
class Booked:
    code: str
    day: date
    session_id: int
    service: str
    passport_type: str
    name: str
    nik: str | None
    status: str = "booked"
    reminded: bool = False  # the scheduler sent its reminder


class Refused(Exception):
    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.refusal = Refusal(reason, code)


@dataclass
class World:
    """One citizen's conversation with an office whose places storage keeps, in memory.

    It applies effects as storage does (all of a message's effects, or none of them), refuses
    them for the same reasons, and runs the step again with the refusal, as hotline.dialogue does.
    """

    now: dt.datetime = NOW
    capacity: int = CAPACITY
    channel: str = "whatsapp"
    max_bookings: int = 5
    closed: dict[date, str] = field(default_factory=dict)
    others: dict[tuple[date, int], int] = field(default_factory=dict)  # places other citizens took
    other_niks: dict[str, str] = field(default_factory=dict)  # NIK -> code, booked by other phones
    bookings: dict[str, Booked] = field(default_factory=dict)
    hold: Held | None = None
    waitlist: dict[date, JoinWaitlist] = field(default_factory=dict)  # this number's entries
    waiting_for_officer: bool = False  # in the inbox's waiting view (AwaitOfficer)
    state: State = field(default_factory=State)
    log: list[tuple[State, str, Outcome, Facts]] = field(default_factory=list)
    # Called with (state, text, facts, outcome) for every run of the step, refused ones too.
    observer: Callable[[State, str, Facts, Outcome], None] | None = None
    # Something that happens between loading the facts and applying the effects (another
    # citizen takes the place, an officer cancels the booking); called once, with the effects.
    race: Callable[[World, tuple[Effect, ...]], None] | None = None
    _codes: Iterable[int] = field(default_factory=itertools.count)

    @property
    def today(self) -> date:
        return self.now.date()

    def new_code(self) -> str:
        n = next(self._codes) * 7919 + 104729  # type: ignore[call-overload]
        chars = []
        for _ in range(6):
            n, digit = divmod(n, len(CODE_ALPHABET))
            chars.append(CODE_ALPHABET[digit])
        return "PLG-" + "".join(chars)

    def active(self) -> list[Booked]:
        return sorted(
            (b for b in self.bookings.values() if b.status in ("booked", "confirmed") and b.day >= self.today),
            key=lambda b: b.day,  # then in the order they were made, as storage lists them
        )

    def taken(self, day: date, session_id: int, excluding: str | None = None) -> int:
        count = self.others.get((day, session_id), 0)
        count += sum(
            1
            for b in self.bookings.values()
            if b.status in ("booked", "confirmed") and (b.day, b.session_id) == (day, session_id)
        )
        hold = self.hold
        if (
            hold
            and hold.code != excluding
            and hold.expires_at > self.now
            and (hold.day, hold.session_id) == (day, session_id)
        ):
            count += 1
        return count

    def facts(self, refusal: Refusal | None = None) -> Facts:
        today = self.today
        started = {sid for sid, start, _ in SESSIONS if start <= self.now.strftime("%H:%M")}
        taken = {}
        for offset in range(31):
            day = today + dt.timedelta(days=offset)
            for session_id, _, _ in SESSIONS:
                taken[(day, session_id)] = self.taken(day, session_id)
        niks = dict(self.other_niks)
        niks.update({b.nik: b.code for b in self.active() if b.nik})
        hold = self.hold
        info = {
            b.code: make_booking(
                b.code,
                b.day,
                b.session_id,
                service=b.service,
                passport_type=b.passport_type,
                name=b.name,
                nik=b.nik or "0000",
                status=b.status,
            )
            for b in self.active()
        }
        facts = make_facts(
            today,
            taken=taken,
            closed=self.closed,
            capacity=self.capacity,
            started=started,
            bookings=list(info.values()),
            hold=HoldInfo(hold.code, hold.day, hold.session_id, hold.expires_at) if hold else None,
            nik_bookings=niks,
            refusal=refusal,
            max_bookings=self.max_bookings,
            channel=self.channel,
        )
        awaiting = tuple(info[b.code] for b in self.active() if b.status == "booked" and b.reminded)
        return replace(facts, awaiting_confirmation=awaiting)

    def remind(self) -> None:
        """Let the scheduler remind every active booking of tomorrow (and today)."""
        for booking in self.active():
            if booking.day <= self.today + dt.timedelta(days=1):
                booking.reminded = True

    def bookable(self, day: date, session_id: int, excluding: str | None = None) -> str | None:
        """Return why a place cannot be taken in the session, or None."""
        facts = self.facts()
        info = facts.days.get(day)
        if info is None or info.closed or day < self.today:
            return "closed"
        start = SESSIONS[session_id - 1][1]
        if day == self.today and start <= self.now.strftime("%H:%M"):
            return "full"
        if self.taken(day, session_id, excluding) >= self.capacity:
            return "full"
        return None

    def apply(self, effects: tuple[Effect, ...]) -> None:
        """Apply every effect, or raise Refused and change nothing."""
        bookings, hold = {code: replace(b) for code, b in self.bookings.items()}, self.hold
        waitlist = dict(self.waitlist)
        try:
            for effect in effects:
                self._apply(effect)
        except Refused:
            self.bookings, self.hold, self.waitlist = bookings, hold, waitlist
            raise

    def _apply(self, effect: Effect) -> None:
        if isinstance(effect, ReleaseHold):
            self.hold = None
        elif isinstance(effect, HoldPlace):
            self.hold = None
            if effect.moving:
                if effect.moving not in {b.code for b in self.active()}:
                    raise Refused("unknown_booking", effect.moving)
            else:
                if len(self.active()) >= self.max_bookings:
                    raise Refused("phone_limit")
                taken_by = self.facts().nik_bookings.get(effect.nik or "")
                if taken_by:
                    raise Refused("nik_taken", taken_by)
            reason = self.bookable(effect.date, effect.session_id)
            if reason:
                raise Refused(reason)
            self.hold = Held(
                self.new_code(), effect.date, effect.session_id, effect, self.now + dt.timedelta(minutes=10)
            )
        elif isinstance(effect, ConfirmHold):
            hold = self.hold
            if hold is None or hold.code != effect.code:
                raise Refused("hold_lost")
            if hold.expires_at <= self.now and self.bookable(hold.day, hold.session_id, excluding=hold.code):
                raise Refused("hold_lost")
            held = hold.effect
            if held.moving:
                moved = self.bookings.get(held.moving)
                if moved is None or moved not in self.active():
                    raise Refused("unknown_booking", held.moving)
                moved.day, moved.session_id = hold.day, hold.session_id
            else:
                taken_by = self.other_niks.get(held.nik or "")
                if taken_by:
                    raise Refused("nik_taken", taken_by)
                self.bookings[hold.code] = Booked(
                    hold.code, hold.day, hold.session_id, held.service, held.passport_type, held.name, held.nik
                )
            self.hold = None
        elif isinstance(effect, CancelBooking):
            booking = self.bookings.get(effect.code)
            if booking is None or booking not in self.active():
                raise Refused("unknown_booking", effect.code)
            booking.status = "cancelled"
        elif isinstance(effect, ConfirmBooking):
            booking = self.bookings.get(effect.code)
            if booking is None or booking not in self.active():
                raise Refused("unknown_booking", effect.code)
            booking.status = "confirmed"
        elif isinstance(effect, JoinWaitlist):
            if effect.date <= self.today:
                raise Refused("closed")
            if effect.date in self.waitlist:
                raise Refused("waitlist_duplicate")
            taken_by = self.facts().nik_bookings.get(effect.nik)
            if taken_by:
                raise Refused("nik_taken", taken_by)
            self.waitlist[effect.date] = effect
        elif isinstance(effect, AwaitOfficer):
            self.waiting_for_officer = True
        else:  # pragma: no cover
            raise TypeError(effect)

    def send(self, text: str, media: int = 0) -> list[str]:
        """Send one message as the citizen; return the replies (as hotline.dialogue does)."""
        refusal = None
        for _ in range(3):
            facts = self.facts(refusal)
            outcome = step(self.state, Inbound(text, media), self.now, facts)
            if self.observer is not None:
                self.observer(self.state, text, facts, outcome)
            if self.race is not None and outcome.effects:
                self.race, race = None, self.race
                race(self, outcome.effects)
            try:
                self.apply(outcome.effects)
            except Refused as refused:
                refusal = refused.refusal
                continue
            self.log.append((self.state, text, outcome, facts))
            self.state = outcome.state
            return list(outcome.replies)
        raise AssertionError(f"effects refused three times for {text!r}: {refusal}")

    @property
    def last(self) -> Outcome:
        return self.log[-1][2]

    def say(self, text: str) -> str:
        """Send a message and return the replies joined, for `in` checks."""
        return "\n".join(self.send(text))

    def fill(self, day: date, session_id: int | None = None) -> None:
        """Let other citizens take every place left in a session (or the whole day)."""
        for sid in [session_id] if session_id else [s for s, _, _ in SESSIONS]:
            self.others[(day, sid)] = self.capacity


# --- the table ------------------------------------------------------------------------------


def case(
    name: str,
    state: State,
    text: str,
    step_name: str,
    effects: Iterable[str] = (),
    says: Iterable[str] = (),
    *,
    not_says: Iterable[str] = (),
    lang: str | None = None,
    draft: Mapping[str, object] | None = None,
    media: int = 0,
    **facts: object,
):
    """One row: in `state` the citizen sends `text`; the machine goes to `step_name`, asks for
    `effects` (type names, in order) and replies with every string of `says` (joined replies)."""
    return pytest.param(
        state,
        text,
        step_name,
        tuple(effects),
        tuple(says),
        tuple(not_says),
        lang,
        dict(draft or {}),
        media,
        facts,
        id=name,
    )


MENU = at("menu")
EN_MENU = at("menu", lang="en")
ONE_BOOKING = {"bookings": [make_booking()]}
TWO_BOOKINGS = {"bookings": [make_booking(), make_booking(CODE2, MONDAY, 1, nik=NIK2)]}
HELD = {"hold": make_hold()}
LIMIT = {"bookings": [make_booking(f"PLG-{c * 6}", MONDAY) for c in "ABCDE"]}
MOVING_CONFIRM = replace(MOVING, date=THURSDAY, session_id=2)
NEAREST_TO_SATURDAY = "Kamis 3 Des; Jumat 4 Des; Senin 7 Des"
SESSIONS_LISTED = "1) 08:00-10:00 (50 tempat), 2) 10:00-12:00 (50 tempat), 3) 13:00-15:00 (50 tempat)"

STEP_CASES = [
    # menu
    case("menu greeting", MENU, "halo", "menu", says=[OFFICE, "1 PESAN", "6 PETUGAS", "English: EN"]),
    case("menu greeting en", MENU, "hello", "menu", says=[f"{OFFICE} passport service", "1 BOOK"], lang="en"),
    case("menu 1 books", MENU, "1", "service", says=["Kirim dalam 1 pesan: layanan (baru/perpanjang"]),
    case("menu 1. books", MENU, "1.", "service", says=["Kirim dalam 1 pesan"]),
    case(
        "menu 2 status",
        MENU,
        "2",
        "menu",
        says=["Booking aktif: PLG-7K3QXM Kamis, 3 Desember 2026 10:00-12:00 (terpesan)"],
        **ONE_BOOKING,
    ),
    case("menu 2 no bookings", MENU, "2", "menu", says=["Tidak ada booking aktif"]),
    case(
        "menu 3 moves the one booking",
        MENU,
        "3",
        "date",
        says=["Ubah jadwal PLG-7K3QXM", "Tanggal berapa?"],
        draft={"moving": CODE},
        **ONE_BOOKING,
    ),
    case(
        "menu 3 asks which of two",
        MENU,
        "3",
        "move_pick",
        says=["Ubah yang mana?", CODE, CODE2],
        **TWO_BOOKINGS,
    ),
    case("menu 3 no bookings", MENU, "3", "menu", says=["Tidak ada booking aktif"]),
    case(
        "menu 4 cancels the one booking",
        MENU,
        "4",
        "cancel_confirm",
        says=["Batalkan PLG-7K3QXM (Kamis, 3 Desember 2026 10:00-12:00)? Balas YA atau TIDAK"],
        draft={"cancelling": CODE},
        **ONE_BOOKING,
    ),
    case(
        "menu 4 asks which of two",
        MENU,
        "4",
        "cancel_pick",
        says=["Batalkan yang mana?", CODE, CODE2],
        **TWO_BOOKINGS,
    ),
    case("menu 4 no bookings", MENU, "4", "menu", says=["Tidak ada booking aktif"]),
    case("menu 5 documents", MENU, "5", "menu", says=["Syarat: BARU: e-KTP", "HILANG", "RUSAK"]),
    case("menu 6 officer", MENU, "6", "menu", says=["petugas kami akan membalas"]),
    case("menu 7 is no choice", MENU, "7", "menu", says=["1 PESAN"]),
    case(
        "menu service words start a booking",
        MENU,
        "mau bikin paspor baru",
        "passport_type",
        says=["Dicatat: Paspor baru. Kirim juga: jenis (biasa/elektronik), nama sesuai KTP, NIK, tanggal."],
        draft={"service": "new"},
    ),
    case(
        "menu service and type",
        MENU,
        "paspor baru elektronik",
        "name",
        says=["Dicatat: Paspor baru, elektronik. Kirim juga: nama sesuai KTP, NIK, tanggal."],
        draft={"service": "new", "passport_type": "electronic"},
    ),
    case(
        "menu renew en",
        MENU,
        "I want to renew my passport",
        "passport_type",
        says=["Noted: Renewal. Please also send: type (ordinary/electronic)"],
        lang="en",
        draft={"service": "renewal"},
    ),
    case(
        "menu 1 at the phone limit",
        MENU,
        "1",
        "menu",
        says=["sudah punya 5 booking aktif (batas 5)", "CEK, UBAH atau BATAL"],
        **LIMIT,
    ),
    case("menu picture only", MENU, "", "menu", says=["hanya bisa membaca pesan teks", "1 PESAN"], media=1),
    case("menu empty", MENU, "", "menu", says=["1 PESAN"]),
    case("menu junk", MENU, "asdfgh", "menu", says=["1 PESAN"]),
    case("menu emoji", MENU, "\U0001f600\U0001f600", "menu", says=["1 PESAN"]),
    case("menu very long", MENU, "paspor " * 2000, "menu", says=["1 PESAN"]),
    # service
    case(
        "service 1",
        at("service"),
        "1",
        "passport_type",
        says=["Jenis paspor? 1 Biasa, 2 Elektronik"],
        draft={"service": "new"},
    ),
    case("service 2", at("service"), "2", "passport_type", draft={"service": "renewal"}),
    case("service 3", at("service"), "3", "passport_type", draft={"service": "lost"}),
    case("service 4", at("service"), "4", "passport_type", draft={"service": "damaged"}),
    case("service baru", at("service"), "baru", "passport_type", draft={"service": "new"}),
    case("service perpanjang", at("service"), "Perpanjang", "passport_type", draft={"service": "renewal"}),
    case("service hilang", at("service"), "paspor saya hilang", "passport_type", draft={"service": "lost"}),
    case("service rusak", at("service"), "rusak", "passport_type", draft={"service": "damaged"}),
    case(
        "service new en",
        at("service"),
        "new",
        "passport_type",
        says=["Passport type? 1 Ordinary"],
        lang="en",
        draft={"service": "new"},
    ),
    case("service lost en", at("service"), "lost", "passport_type", lang="en", draft={"service": "lost"}),
    case("service damaged en", at("service"), "damaged", "passport_type", lang="en", draft={"service": "damaged"}),
    case("service renewal en", at("service"), "renewal", "passport_type", lang="en", draft={"service": "renewal"}),
    case(
        "service and type in one",
        at("service"),
        "baru elektronik",
        "name",
        says=["Kirim juga: nama sesuai KTP, NIK, tanggal"],
        draft={"service": "new", "passport_type": "electronic"},
    ),
    case(
        "service and type in one en",
        at("service"),
        "lost ordinary",
        "name",
        says=["Please also send: name as on the KTP, NIK, date"],
        lang="en",
        draft={"service": "lost", "passport_type": "ordinary"},
    ),
    case("service 5 is no choice", at("service"), "5", "service", says=["belum mengerti", "Layanan apa?"]),
    case("service junk", at("service"), "xyz", "service", says=["belum mengerti", "Layanan apa?"]),
    case("service two services", at("service"), "baru atau hilang", "service", says=["Layanan apa?"]),
    # passport type
    case(
        "type 1",
        at("passport_type", AT_TYPE),
        "1",
        "name",
        says=["Nama lengkap sesuai KTP?"],
        draft={"passport_type": "ordinary"},
    ),
    case("type 2", at("passport_type", AT_TYPE), "2", "name", draft={"passport_type": "electronic"}),
    case("type biasa", at("passport_type", AT_TYPE), "biasa", "name", draft={"passport_type": "ordinary"}),
    case("type elektronik", at("passport_type", AT_TYPE), "Elektronik", "name", draft={"passport_type": "electronic"}),
    case("type e-paspor", at("passport_type", AT_TYPE), "e-paspor", "name", draft={"passport_type": "electronic"}),
    case(
        "type non elektronik",
        at("passport_type", AT_TYPE),
        "non elektronik",
        "name",
        draft={"passport_type": "ordinary"},
    ),
    case(
        "type electronic en",
        at("passport_type", AT_TYPE),
        "electronic",
        "name",
        says=["Full name as on your KTP?"],
        lang="en",
        draft={"passport_type": "electronic"},
    ),
    case(
        "type 3 is no choice",
        at("passport_type", AT_TYPE),
        "3",
        "passport_type",
        says=["belum mengerti", "Jenis paspor?"],
    ),
    case("type junk", at("passport_type", AT_TYPE), "ya", "passport_type", says=["Jenis paspor?"]),
    # name
    case(
        "name",
        at("name", AT_NAME),
        "Budi Santoso",
        "nik",
        says=["NIK (16 angka di KTP)?"],
        draft={"name": "Budi Santoso"},
    ),
    case("name tidied", at("name", AT_NAME), "  Budi    Santoso. ", "nik", draft={"name": "Budi Santoso"}),
    case(
        "name with apostrophe and dash",
        at("name", AT_NAME),
        "Ni Luh Putu Ayu-Dewi",
        "nik",
        draft={"name": "Ni Luh Putu Ayu-Dewi"},
    ),
    case("name with label", at("name", AT_NAME), "Nama: Siti Aminah", "nik", draft={"name": "Siti Aminah"}),
    case(
        "name with en label",
        at("name", AT_NAME),
        "My name is John Smith",
        "nik",
        says=["NIK (the 16 digits"],
        lang="en",
        draft={"name": "John Smith"},
    ),
    case(
        "name with id label",
        at("name", AT_NAME, lang="en"),
        "Nama saya Siti Aminah",
        "nik",
        says=["NIK (16 angka"],
        lang="id",
        draft={"name": "Siti Aminah"},
    ),
    case(
        "English name stays in the language",
        at("name", AT_NAME),
        "Thank You",
        "nik",
        lang="id",
        draft={"name": "Thank You"},
    ),
    case(
        "Balinese name stays Indonesian",
        at("name", AT_NAME),
        "I Made Wirawan",
        "nik",
        says=["NIK (16 angka"],
        lang="id",
        draft={"name": "I Made Wirawan"},
    ),
    case(
        "name and NIK in one",
        at("name", AT_NAME),
        f"Budi Santoso {NIK}",
        "date",
        says=["Tanggal berapa?"],
        draft={"name": "Budi Santoso", "nik": NIK},
    ),
    case(
        "name and NIK with label",
        at("name", AT_NAME),
        "Budi Santoso, NIK 1671 0145 0190 0001",
        "date",
        draft={"name": "Budi Santoso", "nik": NIK},
    ),
    case(
        "name and a bad NIK",
        at("name", AT_NAME),
        "Budi Santoso 9971014501900001",
        "nik",
        says=["bukan kode provinsi"],
        draft={"name": "Budi Santoso", "nik": None},
    ),
    case(
        "name and a taken NIK",
        at("name", AT_NAME),
        f"Budi Santoso {NIK}",
        "menu",
        says=["dari nomor lain"],
        not_says=[CODE2],
        nik_bookings={NIK: CODE2},
    ),
    case("name digits", at("name", AT_NAME), "12345", "name", says=["Tulis nama lengkap dengan huruf"]),
    case("name one letter", at("name", AT_NAME), "B", "name", says=["Tulis nama lengkap"]),
    case("name too long", at("name", AT_NAME), "Budi " * 30, "name", says=["Tulis nama lengkap"]),
    case("name emoji", at("name", AT_NAME), "\U0001f600", "name", says=["Tulis nama lengkap"]),
    # nik
    case(
        "nik",
        at("nik", AT_NIK),
        NIK,
        "date",
        says=["Tanggal berapa? Contoh: besok, Senin, 5/12. Paling jauh Kamis, 31 Desember 2026."],
        draft={"nik": NIK},
    ),
    case("nik grouped", at("nik", AT_NIK), "1671 0145 0190 0001", "date", draft={"nik": NIK}),
    case("nik dashed", at("nik", AT_NIK), "1671-0145-0190-0001", "date", draft={"nik": NIK}),
    case("nik with words", at("nik", AT_NIK), f"NIK saya {NIK}", "date", draft={"nik": NIK}),
    case(
        "nik en",
        at("nik", AT_NIK, lang="en"),
        NIK,
        "date",
        says=["Which date? E.g. tomorrow", "At the latest Thursday, 31 December 2026"],
    ),
    case("nik 15 digits", at("nik", AT_NIK), NIK[:-1], "nik", says=["NIK harus 16 angka"]),
    case("nik 17 digits", at("nik", AT_NIK), NIK + "1", "nik", says=["NIK harus 16 angka"]),
    case("nik 15 digits with words", at("nik", AT_NIK), f"nik saya {NIK[:-1]}", "nik", says=["NIK harus 16 angka"]),
    case("nik bad province", at("nik", AT_NIK), "9971014501900001", "nik", says=["bukan kode provinsi"]),
    case("nik bad birth date", at("nik", AT_NIK), "1671019901900001", "nik", says=["tanggal lahir"]),
    case("nik serial 0000", at("nik", AT_NIK), "1671014501900000", "nik", says=["0000"]),
    case("nik letters", at("nik", AT_NIK), "tidak tahu", "nik", says=["NIK hanya berisi angka"]),
    case(
        "nik taken by this number",
        at("nik", AT_NIK),
        NIK,
        "menu",
        says=["sudah punya booking aktif PLG-7K3QXM", "Satu NIK satu booking", "CEK, UBAH atau BATAL"],
        nik_bookings={NIK: CODE},
        **ONE_BOOKING,
    ),
    case(
        "nik taken by another number",
        at("nik", AT_NIK),
        NIK,
        "menu",
        says=["dari nomor lain", "CEK, UBAH atau BATAL"],
        not_says=[CODE2],
        nik_bookings={NIK: CODE2},
    ),
    case(
        "nik taken en",
        at("nik", AT_NIK, lang="en"),
        NIK,
        "menu",
        says=["This NIK already has an active booking PLG-7K3QXM", "STATUS, CHANGE or BATAL"],
        nik_bookings={NIK: CODE},
        **ONE_BOOKING,
    ),
    # date
    case(
        "date tomorrow",
        at("date", AT_DATE),
        "besok",
        "session",
        says=["Rabu, 2 Desember 2026. Pilih sesi: " + SESSIONS_LISTED],
        draft={"date": WEDNESDAY},
    ),
    case(
        "date weekday",
        at("date", AT_DATE),
        "Kamis",
        "session",
        says=["Kamis, 3 Desember 2026"],
        draft={"date": THURSDAY},
    ),
    case("date numeric", at("date", AT_DATE), "3/12", "session", draft={"date": THURSDAY}),
    case("date words", at("date", AT_DATE), "3 Desember", "session", draft={"date": THURSDAY}),
    case("date today", at("date", AT_DATE), "hari ini", "session", draft={"date": TODAY}),
    case(
        "date and session",
        at("date", AT_DATE),
        "besok sesi 2",
        "confirm",
        ["HoldPlace"],
        [
            "1 Paspor baru 2 elektronik 3 Budi Santoso 4 NIK ****0001 5 Rabu 2 Des 6 10:00-12:00",
            "dlm 10 mnt",
        ],
        draft={"date": WEDNESDAY, "session_id": 2},
    ),
    case(
        "date and hour",
        at("date", AT_DATE),
        "4/12 jam 10",
        "confirm",
        ["HoldPlace"],
        ["5 Jumat 4 Des 6 10:00-12:00"],
        draft={"date": FRIDAY, "session_id": 2},
    ),
    case(
        "date and clock",
        at("date", AT_DATE),
        "4/12 13:00",
        "confirm",
        ["HoldPlace"],
        ["13:00-15:00"],
        draft={"session_id": 3},
    ),
    case(
        "date and a full session",
        at("date", AT_DATE),
        "Kamis sesi 2",
        "session",
        says=["Sesi 2 sudah penuh", "1) 08:00-10:00 (50 tempat), 3) 13:00-15:00"],
        not_says=["2) 10:00"],
        full=[(THURSDAY, 2)],
    ),
    case(
        "date en",
        at("date", AT_DATE),
        "tomorrow",
        "session",
        says=["Wednesday, 2 December 2026. Choose a session: 1) 08:00-10:00 (50 left)"],
        lang="en",
    ),
    case(
        "date next monday en",
        at("date", AT_DATE),
        "next monday",
        "session",
        says=["Monday, 7 December 2026"],
        lang="en",
        draft={"date": MONDAY},
    ),
    case(
        "date weekend",
        at("date", AT_DATE),
        "5/12 jam 10",
        "date",
        says=[
            "Sabtu, 5 Desember 2026: kantor tutup pada hari itu",
            "Tanggal terdekat: " + NEAREST_TO_SATURDAY,
        ],
    ),
    case(
        "date weekend en",
        at("date", AT_DATE),
        "Saturday",
        "date",
        says=[
            "Saturday, 5 December 2026: the office is closed on that day",
            "Nearest free dates: Thu 3 Dec; Fri 4 Dec; Mon 7 Dec",
        ],
        lang="en",
    ),
    case(
        "date past",
        at("date", AT_DATE),
        "kemarin",
        "date",
        says=[
            "Senin, 30 November 2026 sudah lewat",
            "Selasa 1 Des; Rabu 2 Des; Kamis 3 Des",
        ],
    ),
    case("date past with year", at("date", AT_DATE), "1/6/2026", "date", says=["1 Juni 2026 sudah lewat"]),
    case(
        "date too far",
        at("date", AT_DATE),
        "1/1/2027",
        "date",
        says=[
            "Jumat, 1 Januari 2027 terlalu jauh: paling jauh Kamis, 31 Desember 2026",
            "Selasa 29 Des; Rabu 30 Des; Kamis 31 Des",
        ],
    ),
    case(
        "date holiday",
        at("date", AT_DATE),
        "25/12",
        "date",
        says=[
            "Jumat, 25 Desember 2026: libur (Hari Raya Natal)",
            "Selasa 22 Des; Rabu 23 Des; Senin 28 Des",
        ],
    ),
    case("date cuti bersama", at("date", AT_DATE), "24 Desember", "date", says=["Cuti Bersama Natal"]),
    case(
        "date office closed",
        at("date", AT_DATE),
        "4/12",
        "date",
        says=[
            "Jumat, 4 Desember 2026: kantor tutup.",
            "Selasa 1 Des; Rabu 2 Des; Kamis 3 Des",
        ],
        closed={FRIDAY: "office"},
    ),
    case(
        "date full",
        at("date", AT_DATE),
        "Kamis",
        "date",
        says=[
            "Kamis, 3 Desember 2026 sudah penuh",
            "Selasa 1 Des; Rabu 2 Des; Jumat 4 Des",
        ],
        full=[THURSDAY],
    ),
    case(
        "date all full",
        at("date", AT_DATE),
        "Kamis",
        "date",
        says=["Belum ada tempat kosong sampai Kamis, 31 Desember 2026"],
        full=[TODAY + dt.timedelta(days=n) for n in range(31)],
    ),
    case(
        "date today after a session began",
        at("date", AT_DATE),
        "hari ini",
        "session",
        says=["2) 10:00-12:00 (50 tempat)"],
        not_says=["08:00"],
        started=[1],
    ),
    case(
        "date today after all began", at("date", AT_DATE), "hari ini", "date", says=["sudah penuh"], started=[1, 2, 3]
    ),
    case(
        "date few places",
        at("date", AT_DATE),
        "Kamis",
        "session",
        says=["1) 08:00-10:00 (3 tempat)"],
        taken={(THURSDAY, 1): 47},
    ),
    case("date junk", at("date", AT_DATE), "xyz", "date", says=["Tulis tanggal, misalnya: besok"]),
    case("date bare number", at("date", AT_DATE), "2", "date", says=["Tulis tanggal"]),
    case(
        "date for a move",
        at("date", MOVING),
        "Senin sesi 1",
        "confirm",
        ["HoldPlace"],
        ["Pindahkan PLG-7K3QXM ke Senin, 7 Desember 2026 08:00-10:00? Balas YA"],
        **ONE_BOOKING,
    ),
    # session
    case(
        "session 2",
        at("session", AT_SESSION),
        "2",
        "confirm",
        ["HoldPlace"],
        [
            "1 Paspor baru 2 elektronik 3 Budi Santoso 4 NIK ****0001 5 Kamis 3 Des 6 10:00-12:00. Balas YA dlm 10 mnt, BATAL atau no. yg salah."
        ],
        draft={"session_id": 2},
    ),
    case("session word", at("session", AT_SESSION), "sesi 3", "confirm", ["HoldPlace"], draft={"session_id": 3}),
    case("session hour", at("session", AT_SESSION), "jam 8", "confirm", ["HoldPlace"], draft={"session_id": 1}),
    case("session clock", at("session", AT_SESSION), "10:00", "confirm", ["HoldPlace"], draft={"session_id": 2}),
    case(
        "session en",
        at("session", AT_SESSION, lang="en"),
        "2",
        "confirm",
        ["HoldPlace"],
        [
            "1 New passport 2 electronic 3 Budi Santoso 4 NIK ****0001 5 Thu 3 Dec 6 10:00-12:00. Reply YES in 10 min, BATAL, or the wrong no."
        ],
    ),
    case("session out of range", at("session", AT_SESSION), "4", "session", says=["belum mengerti", SESSIONS_LISTED]),
    case(
        "session full",
        at("session", AT_SESSION),
        "2",
        "session",
        says=["Sesi 2 sudah penuh", "1) 08:00-10:00"],
        not_says=["2) 10:00"],
        full=[(THURSDAY, 2)],
    ),
    case(
        "session another date",
        at("session", AT_SESSION),
        "Senin",
        "session",
        says=["Senin, 7 Desember 2026. Pilih sesi"],
        draft={"date": MONDAY},
    ),
    case(
        "session another date and session",
        at("session", AT_SESSION),
        "besok sesi 2",
        "confirm",
        ["HoldPlace"],
        ["5 Rabu 2 Des 6 10:00-12:00"],
        draft={"date": WEDNESDAY, "session_id": 2},
    ),
    case(
        "session another date closed", at("session", AT_SESSION), "Sabtu", "date", says=["kantor tutup pada hari itu"]
    ),
    case(
        "session day filled meanwhile",
        at("session", AT_SESSION),
        "1",
        "date",
        says=["Kamis, 3 Desember 2026 sudah penuh", "Tanggal terdekat"],
        full=[THURSDAY],
    ),
    case("session junk", at("session", AT_SESSION), "xyz", "session", says=["belum mengerti", "Pilih sesi"]),
    # confirm
    case(
        "confirm YA",
        at("confirm", AT_CONFIRM),
        "YA",
        "menu",
        ["ConfirmHold"],
        [
            "Booking berhasil. Kode: PLG-7K3QXM. Kamis 3 Des 10:00-12:00, Kantor Imigrasi Palembang, Jl. Jenderal Sudirman No. 1. Bawa: e-KTP, KK, dan akta lahir"
        ],
        draft={"service": None},
        **HELD,
    ),
    case("confirm ya!", at("confirm", AT_CONFIRM), "ya!", "menu", ["ConfirmHold"], **HELD),
    case("confirm iya", at("confirm", AT_CONFIRM), "iya", "menu", ["ConfirmHold"], **HELD),
    case("confirm ya benar", at("confirm", AT_CONFIRM), "Ya, benar", "menu", ["ConfirmHold"], **HELD),
    case("confirm ok", at("confirm", AT_CONFIRM), "OK", "menu", ["ConfirmHold"], **HELD),
    case("confirm thumbs up", at("confirm", AT_CONFIRM), "\U0001f44d", "menu", ["ConfirmHold"], **HELD),
    case(
        "confirm yes en",
        at("confirm", AT_CONFIRM),
        "yes",
        "menu",
        ["ConfirmHold"],
        ["Booked. Code: PLG-7K3QXM. Thu 3 Dec 10:00-12:00", "Bring: e-KTP, KK, birth certificate"],
        lang="en",
        **HELD,
    ),
    case(
        "confirm renewal documents",
        at("confirm", replace(AT_CONFIRM, service="renewal")),
        "YA",
        "menu",
        ["ConfirmHold"],
        ["Bawa: e-KTP dan paspor lama (asli)."],
        **HELD,
    ),
    case(
        "confirm lost documents",
        at("confirm", replace(AT_CONFIRM, service="lost")),
        "YA",
        "menu",
        ["ConfirmHold"],
        ["surat kehilangan dari polisi", "Rp1.000.000"],
        **HELD,
    ),
    case(
        "confirm damaged documents",
        at("confirm", replace(AT_CONFIRM, service="damaged")),
        "YA",
        "menu",
        ["ConfirmHold"],
        ["paspor yang rusak", "Rp500.000"],
        **HELD,
    ),
    case(
        "confirm without address",
        at("confirm", AT_CONFIRM),
        "YA",
        "menu",
        ["ConfirmHold"],
        ["Kantor Imigrasi Palembang. Bawa:"],
        office_address=None,
        **HELD,
    ),
    case(
        "confirm TIDAK", at("confirm", AT_CONFIRM), "TIDAK", "menu", ["ReleaseHold"], ["Pemesanan dibatalkan"], **HELD
    ),
    case(
        "confirm gak jadi",
        at("confirm", AT_CONFIRM),
        "gak jadi",
        "menu",
        ["ReleaseHold"],
        ["Pemesanan dibatalkan"],
        **HELD,
    ),
    case(
        "confirm no en",
        at("confirm", AT_CONFIRM),
        "no",
        "menu",
        ["ReleaseHold"],
        ["Booking stopped"],
        lang="en",
        **HELD,
    ),
    case(
        "confirm maybe",
        at("confirm", AT_CONFIRM),
        "mungkin",
        "confirm",
        says=["Balas YA untuk memesan, BATAL, atau nomor yang salah"],
        **HELD,
    ),
    case("confirm yes and no", at("confirm", AT_CONFIRM), "ya tidak", "confirm", says=["Balas YA"], **HELD),
    case(
        "confirm another session",
        at("confirm", AT_CONFIRM),
        "sesi 3",
        "confirm",
        ["HoldPlace"],
        says=["13:00-15:00", "Balas YA"],
        **HELD,
    ),
    # A bare number at the summary is the number of a detail in it: that one is asked again.
    case("confirm detail number", at("confirm", AT_CONFIRM), "3", "name", says=["Nama lengkap sesuai KTP?"], **HELD),
    case("confirm detail no.", at("confirm", AT_CONFIRM), "no. 4 salah", "nik", says=["NIK"], **HELD),
    case("confirm detail date", at("confirm", AT_CONFIRM), "5", "date", says=["Tanggal"], **HELD),
    case("confirm detail session", at("confirm", AT_CONFIRM), "6", "session", says=["Pilih sesi"], **HELD),
    case(
        "confirm PESAN keeps the hold",
        at("confirm", AT_CONFIRM),
        "PESAN",
        "confirm",
        says=["Balas YA untuk memesan"],
        **HELD,
    ),
    case(
        "confirm book keeps the hold",
        at("confirm", AT_CONFIRM, lang="en"),
        "book",
        "confirm",
        says=["Reply YES to book"],
        **HELD,
    ),
    case(
        "confirm hold gone",
        at("confirm", AT_CONFIRM),
        "YA",
        "session",
        says=["waktu tahan habis", "Kamis, 3 Desember 2026. Pilih sesi"],
    ),
    case(
        "confirm hold for another place",
        at("confirm", AT_CONFIRM),
        "YA",
        "session",
        says=["waktu tahan habis"],
        hold=make_hold(day=FRIDAY),
    ),
    case(
        "confirm hold gone, day full",
        at("confirm", AT_CONFIRM),
        "YA",
        "date",
        says=["waktu tahan habis", "sudah penuh", "Tanggal terdekat"],
        full=[THURSDAY],
    ),
    case(
        "confirm lapsed hold still confirms",
        at("confirm", AT_CONFIRM),
        "YA",
        "menu",
        ["ConfirmHold"],
        hold=make_hold(minutes=-5),
    ),
    case(
        "confirm a move",
        at("confirm", MOVING_CONFIRM),
        "YA",
        "menu",
        ["ConfirmHold"],
        ["Jadwal PLG-7K3QXM dipindah ke Kamis, 3 Desember 2026 10:00-12:00. Kode tetap sama."],
        hold=make_hold("PLG-HHHHHH"),
        **ONE_BOOKING,
    ),
    case(
        "confirm a move en",
        at("confirm", MOVING_CONFIRM, lang="en"),
        "yes",
        "menu",
        ["ConfirmHold"],
        ["PLG-7K3QXM is moved to Thursday, 3 December 2026 10:00-12:00"],
        hold=make_hold("PLG-HHHHHH"),
        **ONE_BOOKING,
    ),
    case(
        "confirm a move, no",
        at("confirm", MOVING_CONFIRM),
        "TIDAK",
        "menu",
        ["ReleaseHold"],
        ["booking PLG-7K3QXM tetap berlaku"],
        not_says=["dibatalkan"],
        hold=make_hold("PLG-HHHHHH"),
        **ONE_BOOKING,
    ),
    case(
        "confirm a move, BATAL",
        at("confirm", MOVING_CONFIRM),
        "BATAL",
        "menu",
        ["ReleaseHold"],
        ["booking PLG-7K3QXM tetap berlaku"],
        not_says=["dibatalkan"],
        hold=make_hold("PLG-HHHHHH"),
        **ONE_BOOKING,
    ),
    case(
        "confirm a move, maybe",
        at("confirm", MOVING_CONFIRM),
        "hmm",
        "confirm",
        says=["memindah jadwal"],
        hold=make_hold("PLG-HHHHHH"),
        **ONE_BOOKING,
    ),
    # cancel_pick
    case(
        "pick to cancel by code",
        at("cancel_pick"),
        CODE2,
        "cancel_confirm",
        says=["Batalkan PLG-9ZZT4B (Senin, 7 Desember 2026 08:00-10:00)?"],
        draft={"cancelling": CODE2},
        **TWO_BOOKINGS,
    ),
    case(
        "pick to cancel by code without dash",
        at("cancel_pick"),
        "plg9zzt4b",
        "cancel_confirm",
        draft={"cancelling": CODE2},
        **TWO_BOOKINGS,
    ),
    case(
        "pick to cancel by number",
        at("cancel_pick"),
        "2",
        "cancel_confirm",
        draft={"cancelling": CODE2},
        **TWO_BOOKINGS,
    ),
    case(
        "pick to cancel, out of range",
        at("cancel_pick"),
        "3",
        "cancel_pick",
        says=["belum mengerti", "Batalkan yang mana?"],
        **TWO_BOOKINGS,
    ),
    case(
        "pick to cancel, unknown code",
        at("cancel_pick"),
        "PLG-AAAAAA",
        "cancel_pick",
        says=["Kode itu tidak ada", "Batalkan yang mana"],
        **TWO_BOOKINGS,
    ),
    case(
        "pick to cancel, junk",
        at("cancel_pick"),
        "yang kemarin",
        "cancel_pick",
        says=["Batalkan yang mana"],
        **TWO_BOOKINGS,
    ),
    case("pick to cancel, bookings gone", at("cancel_pick"), "1", "menu", says=["Tidak ada booking aktif"]),
    case(
        "pick to cancel, BATAL again",
        at("cancel_pick"),
        "BATAL",
        "menu",
        says=["tidak ada yang diubah"],
        not_says=["dibatalkan"],
        **TWO_BOOKINGS,
    ),
    # cancel_confirm
    case(
        "cancel YA",
        at("cancel_confirm", Draft(cancelling=CODE)),
        "YA",
        "menu",
        ["CancelBooking"],
        ["Booking PLG-7K3QXM dibatalkan"],
        **ONE_BOOKING,
    ),
    case(
        "cancel yes en",
        at("cancel_confirm", Draft(cancelling=CODE)),
        "yes",
        "menu",
        ["CancelBooking"],
        ["Booking PLG-7K3QXM is cancelled"],
        lang="en",
        **ONE_BOOKING,
    ),
    case(
        "cancel TIDAK",
        at("cancel_confirm", Draft(cancelling=CODE)),
        "TIDAK",
        "menu",
        says=["booking PLG-7K3QXM tetap berlaku"],
        **ONE_BOOKING,
    ),
    case(
        "cancel no en",
        at("cancel_confirm", Draft(cancelling=CODE)),
        "no",
        "menu",
        says=["booking PLG-7K3QXM stays as it is"],
        lang="en",
        **ONE_BOOKING,
    ),
    case(
        "cancel maybe",
        at("cancel_confirm", Draft(cancelling=CODE)),
        "hmm",
        "cancel_confirm",
        says=["Balas YA atau TIDAK"],
        **ONE_BOOKING,
    ),
    case(
        "cancel BATAL again asks again",
        at("cancel_confirm", Draft(cancelling=CODE)),
        "BATAL",
        "cancel_confirm",
        says=["Batalkan PLG-7K3QXM"],
        **ONE_BOOKING,
    ),
    case(
        "cancel YA, booking gone",
        at("cancel_confirm", Draft(cancelling=CODE)),
        "YA",
        "menu",
        says=["Kode itu tidak ada"],
    ),
    # move_pick
    case(
        "pick to move by number",
        at("move_pick"),
        "1",
        "date",
        says=["Ubah jadwal PLG-7K3QXM", "Tanggal berapa?"],
        draft={"moving": CODE, "service": "new", "name": "Budi Santoso"},
        **TWO_BOOKINGS,
    ),
    case("pick to move by code", at("move_pick"), CODE2, "date", draft={"moving": CODE2}, **TWO_BOOKINGS),
    case(
        "pick to move, junk",
        at("move_pick"),
        "yang itu",
        "move_pick",
        says=["Ubah yang mana?"],
        **TWO_BOOKINGS,
    ),
    case("pick to move, BATAL", at("move_pick"), "BATAL", "menu", says=["tidak ada yang diubah"], **TWO_BOOKINGS),
    # a damaged state from storage starts again rather than failing
    case("confirm without a draft", at("confirm"), "YA", "menu", says=["1 PESAN"]),
    case("session without a draft", at("session"), "2", "menu", says=["Tidak ada booking aktif"]),
    case("unknown step", at("nowhere"), "halo", "menu", says=["1 PESAN"]),
]


@pytest.mark.parametrize(
    ("state", "text", "step_name", "effects", "says", "not_says", "lang", "draft_fields", "media", "facts"),
    STEP_CASES,
)
def test_step(state, text, step_name, effects, says, not_says, lang, draft_fields, media, facts):
    outcome = run(state, text, make_facts(**facts), media=media)
    replies = "\n".join(outcome.replies)
    assert outcome.state.step == step_name, replies
    assert kinds(outcome.effects) == list(effects), replies
    assert outcome.replies and all(outcome.replies)
    for expected in says:
        assert expected in replies
    for unexpected in not_says:
        assert unexpected not in replies
    if lang is not None:
        assert outcome.state.lang == lang
    for name, value in draft_fields.items():
        assert getattr(outcome.state.draft, name) == value, name
    assert State.from_json(outcome.state.to_json()) == outcome.state


# --- keywords, at every step, in both languages ----------------------------------------------

STEP_STATES = {
    "menu": MENU,
    "service": at("service"),
    "passport_type": at("passport_type", AT_TYPE),
    "name": at("name", AT_NAME),
    "nik": at("nik", AT_NIK),
    "date": at("date", AT_DATE),
    "session": at("session", AT_SESSION),
    "confirm": at("confirm", AT_CONFIRM),
    "cancel_pick": at("cancel_pick"),
    "cancel_confirm": at("cancel_confirm", Draft(cancelling=CODE)),
    "move_pick": at("move_pick"),
}
PROMPTS = {
    "menu": ("1 PESAN", "1 BOOK"),
    "service": ("Kirim dalam 1 pesan", "Send in 1 message"),
    "passport_type": ("Jenis paspor?", "Passport type?"),
    "name": ("Nama lengkap", "Full name"),
    "nik": ("NIK (16 angka", "NIK (the 16"),
    "date": ("Tanggal berapa?", "Which date?"),
    "session": ("Pilih sesi", "Choose a session"),
    "confirm": ("Balas YA untuk memesan", "Reply YES to book"),
    "cancel_pick": ("Batalkan yang mana", "Cancel which one"),
    "cancel_confirm": ("Batalkan PLG-7K3QXM", "Cancel PLG-7K3QXM"),
    "move_pick": ("Ubah yang mana", "Change which one"),
}
BOOKING_STEPS = ("service", "passport_type", "name", "nik", "date", "session", "confirm")
# (what the citizen types, the language it is written in, the keyword it is)
KEYWORDS = [
    ("MENU", None, "menu"),
    ("menu", None, "menu"),
    ("BATAL", "id", "cancel"),
    ("CANCEL", "en", "cancel"),
    ("CEK", "id", "status"),
    ("STATUS", "en", "status"),
    ("UBAH", "id", "move"),
    ("CHANGE", "en", "move"),
    ("SYARAT", "id", "documents"),
    ("DOCUMENTS", "en", "documents"),
    ("PETUGAS", "id", "agent"),
    ("AGENT", "en", "agent"),
    ("STOP", None, "stop"),
    ("BERHENTI", "id", "stop"),
    ("START", None, "start"),
    ("MULAI", "id", "start"),
    ("BANTUAN", "id", "help"),
    ("HELP", "en", "help"),
    ("EN", "en", "english"),
    ("ID", "id", "indonesian"),
    ("PESAN", "id", "book"),
    ("BOOK", "en", "book"),
]


def keyword_case(step_name: str, text: str, lang: str | None, keyword: str):
    state = STEP_STATES[step_name]
    if lang == "id":
        state = replace(state, lang="en")  # an Indonesian word switches back from English
    reply_lang = lang or state.lang
    i = 0 if reply_lang == "id" else 1
    leaves = step_name in BOOKING_STEPS
    release = ["ReleaseHold"] if step_name == "confirm" else []
    prompt = PROMPTS[step_name][i] if step_name != "menu" else ""  # asides re-ask a step's question
    flags: dict[str, bool] = {}
    if keyword in ("menu", "start"):
        expected = ("menu", release if leaves else [], [PROMPTS["menu"][i]])
    elif keyword == "cancel":
        if leaves:
            expected = ("menu", release, [("Pemesanan dibatalkan", "Booking stopped")[i]])
        elif step_name in ("cancel_pick", "move_pick"):
            expected = ("menu", [], [("tidak ada yang diubah", "nothing has changed")[i]])
        else:
            expected = ("cancel_confirm", [], [PROMPTS["cancel_confirm"][i]])
    elif keyword == "status":
        expected = (step_name, [], [("Booking aktif: PLG-7K3QXM", "Active bookings: PLG-7K3QXM")[i], prompt])
    elif keyword == "move":
        expected = ("date", release, [("Ubah jadwal PLG-7K3QXM", "Change the date of PLG-7K3QXM")[i]])
    elif keyword == "documents":
        expected = (step_name, [], [("Syarat: BARU", "Documents: NEW")[i], prompt])
    elif keyword == "help":
        expected = (step_name, [], [("Kata kunci", "Keywords")[i], prompt])
    elif keyword == "agent":
        expected = ("menu", release, [("petugas kami", "an officer will reply")[i]])
        flags = {"handover": True}
    elif keyword == "stop":
        expected = ("menu", release, [("tidak akan menerima", "no more messages")[i]])
        flags = {"opted_out": True}
    elif keyword == "book" and step_name == "confirm":
        expected = ("confirm", [], [prompt])  # only YA books; the held place is kept
    elif keyword == "book":
        expected = ("service", [], [PROMPTS["service"][i]])
    else:  # a language
        expected = (step_name, [], [prompt])
    return pytest.param(state, text, reply_lang, *expected, flags, id=f"{step_name} {text}")


KEYWORD_CASES = [
    keyword_case(step_name, text, lang, keyword) for step_name in STEP_STATES for text, lang, keyword in KEYWORDS
]


@pytest.mark.parametrize(("state", "text", "lang", "step_name", "effects", "says", "flags"), KEYWORD_CASES)
def test_keyword(state, text, lang, step_name, effects, says, flags):
    facts = make_facts(bookings=[make_booking()], hold=make_hold() if state.step == "confirm" else None)
    outcome = run(state, text, facts)
    replies = "\n".join(outcome.replies)
    assert outcome.state.step == step_name, replies
    assert kinds(outcome.effects) == effects, replies
    assert outcome.state.lang == lang
    for expected in says:
        assert expected in replies
    assert outcome.state.handover == flags.get("handover", False)
    assert outcome.state.opted_out == flags.get("opted_out", False)


@pytest.mark.parametrize(
    "text",
    [
        "batal",
        "Batal.",
        "BATAL!",
        " batal ",
        "saya mau batal",
        "cancel my booking",
        "Batalkan",
    ],
)
def test_cancel_keyword_in_other_words(text):
    outcome = run(MENU, text, make_facts(bookings=[make_booking()]))
    assert outcome.state.step == "cancel_confirm"
    assert outcome.state.draft.cancelling == CODE


@pytest.mark.parametrize("step_name", list(STEP_STATES))
@pytest.mark.parametrize("text", ["BATAL PLG-7K3QXM", "cancel plg7k3qxm", "batal kode PLG-7K3QXM"])
def test_cancel_with_a_code_at_any_step(step_name, text):
    facts = make_facts(
        bookings=[make_booking(), make_booking(CODE2, MONDAY)],
        hold=make_hold("PLG-HHHHHH") if step_name == "confirm" else None,
    )
    outcome = run(STEP_STATES[step_name], text, facts)
    assert outcome.state.step == "cancel_confirm"
    assert outcome.state.draft == Draft(cancelling=CODE)
    assert "PLG-7K3QXM" in outcome.replies[-1]
    assert kinds(outcome.effects) == (["ReleaseHold"] if step_name == "confirm" else [])


@pytest.mark.parametrize("step_name", list(STEP_STATES))
def test_move_with_a_code_at_any_step(step_name):
    facts = make_facts(
        bookings=[make_booking(), make_booking(CODE2, MONDAY)],
        hold=make_hold("PLG-HHHHHH") if step_name == "confirm" else None,
    )
    outcome = run(STEP_STATES[step_name], "UBAH PLG-9ZZT4B", facts)
    assert outcome.state.step == "date"
    assert outcome.state.draft.moving == CODE2


def test_cancel_with_an_unknown_code():
    outcome = run(MENU, "BATAL PLG-AAAAAA", make_facts(bookings=[make_booking()]))
    assert outcome.state.step == "menu"
    assert "Kode itu tidak ada" in outcome.replies[0]
    assert outcome.effects == ()


def test_move_with_an_unknown_code():
    outcome = run(MENU, "UBAH PLG-AAAAAA", make_facts(bookings=[make_booking()]))
    assert outcome.state.step == "menu"
    assert "Kode itu tidak ada" in outcome.replies[0]


def test_move_keeps_the_details_and_skips_the_nik():
    booking = make_booking(service="lost", passport_type="ordinary", name="Siti Aminah")
    outcome = run(MENU, "UBAH", make_facts(bookings=[booking]))
    assert outcome.state.draft == Draft(service="lost", passport_type="ordinary", name="Siti Aminah", moving=CODE)
    outcome = run(outcome.state, "Senin sesi 3", make_facts(bookings=[booking]))
    (hold,) = outcome.effects
    assert hold == HoldPlace(MONDAY, 3, "lost", "ordinary", "Siti Aminah", None, moving=CODE)


# --- handover and opting out -------------------------------------------------------------

HANDED_OVER = at("menu", handover=True)
OPTED_OUT = at("menu", opted_out=True)


@pytest.mark.parametrize(
    "state", [HANDED_OVER, OPTED_OUT, replace(OPTED_OUT, handover=True)], ids=["handover", "opted out", "both"]
)
@pytest.mark.parametrize(
    "text", ["halo", "1", "MENU", "BATAL", "CEK", "PETUGAS", "HELP", "EN", "YA", "", NIK, "\U0001f600"]
)
def test_silent(state, text):
    """Opted out, or talking to the officer who took the conversation over: the bot says nothing."""
    facts = replace(make_facts(bookings=[make_booking()]), officer_assigned=True)
    outcome = run(state, text, facts)
    assert outcome.replies == ()
    assert outcome.effects == ()
    assert outcome.state == state


@pytest.mark.parametrize("text", ["halo", "1", "CEK", "HELP", "EN", "YA", "", NIK, "\U0001f600", "kapan dibalas?"])
def test_waiting_for_an_officer_the_bot_stays_silent(text):
    outcome = run(HANDED_OVER, text, make_facts(bookings=[make_booking()]))
    assert outcome.replies == () and outcome.effects == () and outcome.state == HANDED_OVER


@pytest.mark.parametrize("text", ["MENU", "menu", "kembali", "BATAL", "saya mau batal", "MULAI", "START"])
def test_waiting_for_an_officer_menu_or_batal_gives_the_chat_back_to_the_bot(text):
    outcome = run(HANDED_OVER, text, make_facts(bookings=[make_booking()]))
    assert not outcome.state.handover and outcome.state.step == "menu" and outcome.effects == ()
    assert outcome.replies[0] == "Baik, Anda kembali ke layanan otomatis."
    assert "1 PESAN" in outcome.replies[1]


def test_waiting_for_an_officer_pesan_starts_a_booking_with_the_bot():
    outcome = run(HANDED_OVER, "PESAN", make_facts())
    assert not outcome.state.handover and outcome.state.step == "service"


def test_petugas_again_says_again_how_to_get_back():
    outcome = run(HANDED_OVER, "PETUGAS", make_facts())
    assert outcome.state == HANDED_OVER
    assert outcome.replies == (
        "Baik, petugas kami akan membalas di sini. Balas MENU untuk kembali ke layanan otomatis.",
    )


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("id", "Petugas kami kembali Rabu, 2 Desember 2026 08:00 dan akan membalas di sini. Balas MENU untuk kembali"),
        ("en", "Our officers are back Wednesday, 2 December 2026 08:00 and will reply here. Reply MENU to go back"),
    ],
)
def test_petugas_out_of_hours_says_when_officers_are_back_and_how_to_return(lang, said):
    back = dt.datetime(2026, 12, 2, 8, 0, tzinfo=WIB)
    outcome = run(at("menu", lang=lang, lang_known=True), "PETUGAS", replace(make_facts(), officers_back_at=back))
    assert outcome.state.handover
    assert outcome.replies[0].startswith(said)
    assert run(outcome.state, "MENU", make_facts()).state.handover is False


def test_an_officer_who_took_over_keeps_the_chat_through_menu():
    facts = replace(make_facts(), officer_assigned=True)
    outcome = run(HANDED_OVER, "MENU", facts)
    assert outcome.state == HANDED_OVER and outcome.replies == ()


@pytest.mark.parametrize(
    "texts", [["asdf", "qwerty", "???? zz"], ["1", "xyz", "xyz", "xyz"], ["1", "1", "zz", "zz", "zz"]]
)
def test_three_messages_not_understood_in_a_row_call_an_officer(texts):
    world = World()
    world.send("halo")
    replies = [world.send(text) for text in texts]
    assert all("Petugas kami akan membaca" not in " ".join(r) for r in replies[:-1])
    assert "Petugas kami akan membaca pesan ini dan membalas di sini." in " ".join(replies[-1])
    assert world.waiting_for_officer
    assert not world.state.handover  # the bot keeps answering meanwhile
    assert world.state.stuck == 0


def test_an_understood_message_starts_the_count_again():
    world = World()
    for text in ["asdf", "zz", "1", "asdf", "zz"]:
        world.send(text)
    assert not world.waiting_for_officer
    assert world.state.stuck == 2


@pytest.mark.parametrize("text", ["START", "MULAI", "start", "Mulai"])
def test_start_after_stop(text):
    outcome = run(OPTED_OUT, text)
    assert not outcome.state.opted_out
    assert "1 PESAN" in outcome.replies[0]


def test_stop_while_opted_out_is_silent():
    outcome = run(OPTED_OUT, "STOP")
    assert outcome.replies == () and outcome.state.opted_out


@pytest.mark.parametrize("text", ["STOP", "stop", "Berhenti", "UNSUBSCRIBE", "STOP ALL"])
def test_stop_in_a_handover_ends_it(text):
    outcome = run(HANDED_OVER, text)
    assert outcome.state.opted_out and not outcome.state.handover
    assert len(outcome.replies) == 1
    # START then gives the bot back, not a menu followed by silence.
    outcome = run(outcome.state, "START")
    assert not outcome.state.opted_out and not outcome.state.handover
    assert OFFICE in outcome.replies[0]


@pytest.mark.parametrize(("text", "confirmed"), [("STOP", False), ("END", False), ("BERHENTI", True)])
def test_stop_on_sms(text, confirmed):
    """Twilio confirms its own opt-out words on SMS; the others are ours to confirm."""
    outcome = run(MENU, text, make_facts(channel="sms"))
    assert outcome.state.opted_out
    assert bool(outcome.replies) == confirmed


@pytest.mark.parametrize("text", ["CANCEL", "cancel", "Revoke", "OPTOUT", "stopall", "Quit"])
@pytest.mark.parametrize("state", [MENU, at("confirm", AT_CONFIRM)], ids=["menu", "confirm"])
def test_twilios_opt_out_words_on_sms_opt_out_whatever_the_step(text, state):
    """Twilio blocks the number on its own opt-out words (CANCEL among them) and says so:
    the bot knows it is opted out and sends nothing more."""
    outcome = run(state, text, make_facts(channel="sms"))
    assert outcome.state.opted_out and outcome.replies == ()


def test_cancel_on_whatsapp_is_still_a_cancel():
    outcome = run(at("confirm", AT_CONFIRM), "CANCEL", make_facts(hold=make_hold()))
    assert not outcome.state.opted_out and outcome.state.step == "menu" and outcome.replies


@pytest.mark.parametrize(
    ("text", "channel", "back"), [("YES", "sms", True), ("unstop", "sms", True), ("YES", "whatsapp", False)]
)
def test_twilios_opt_in_words_on_sms_opt_in(text, channel, back):
    outcome = run(OPTED_OUT, text, make_facts(channel=channel))
    assert outcome.state.opted_out is not back
    assert bool(outcome.replies) is back


def test_stop_releases_the_hold():
    outcome = run(at("confirm", AT_CONFIRM), "STOP", make_facts(hold=make_hold()))
    assert kinds(outcome.effects) == ["ReleaseHold"]
    assert outcome.state.draft == Draft()


def test_stop_reply_in_the_language_of_the_word():
    assert "no more messages" in run(MENU, "UNSUBSCRIBE").replies[0]
    assert "tidak akan menerima" in run(replace(MENU, lang="en"), "BERHENTI").replies[0]


# --- storage refused the effect: the step runs again with facts.refusal ----------------------

REFUSED = [
    # HoldPlace refused while the facts still showed a place
    case(
        "hold full",
        at("session", AT_SESSION),
        "2",
        "session",
        says=["sesi itu baru saja penuh", "Pilih sesi"],
        refusal="full",
    ),
    case(
        "hold full en",
        at("session", AT_SESSION, lang="en"),
        "2",
        "session",
        says=["that session has just filled up"],
        refusal="full",
    ),
    case(
        "hold closed",
        at("session", AT_SESSION),
        "2",
        "date",
        says=["Kamis, 3 Desember 2026: kantor tutup.", "Tanggal terdekat"],
        not_says=["Kamis, 3 Desember 2026;", "; Kamis, 3 Desember 2026"],
        refusal="closed",
    ),
    case(
        "hold nik taken",
        at("session", AT_SESSION),
        "2",
        "menu",
        says=["dari nomor lain"],
        not_says=[CODE2],
        refusal=Refusal("nik_taken", CODE2),
    ),
    case(
        "hold nik taken by this number",
        at("session", AT_SESSION),
        "2",
        "menu",
        says=["booking aktif PLG-7K3QXM", "CEK, UBAH atau BATAL"],
        refusal=Refusal("nik_taken", CODE),
        **ONE_BOOKING,
    ),
    case(
        "hold phone limit",
        at("session", AT_SESSION),
        "2",
        "menu",
        says=["sudah punya 5 booking aktif (batas 5)", "CEK, UBAH atau BATAL"],
        refusal="phone_limit",
        **LIMIT,
    ),
    case(
        "hold phone limit, facts behind",
        at("session", AT_SESSION),
        "2",
        "menu",
        says=["sudah punya 5 booking aktif (batas 5)"],
        refusal="phone_limit",
    ),
    case(
        "hold for a move, booking gone",
        at("session", replace(MOVING, date=THURSDAY)),
        "2",
        "menu",
        says=["Kode itu tidak ada"],
        refusal=Refusal("unknown_booking", CODE),
    ),
    case(
        "hold from the date step",
        at("date", AT_DATE),
        "besok sesi 2",
        "session",
        says=["baru saja penuh", "Rabu, 2 Desember 2026. Pilih sesi"],
        refusal="full",
    ),
    case("hold hold_lost", at("session", AT_SESSION), "2", "session", says=["Pilih sesi"], refusal="hold_lost"),
    # ConfirmHold refused
    case(
        "confirm hold lost",
        at("confirm", AT_CONFIRM),
        "YA",
        "session",
        says=["waktu tahan habis", "Pilih sesi"],
        refusal="hold_lost",
        **HELD,
    ),
    case(
        "confirm hold lost en",
        at("confirm", AT_CONFIRM, lang="en"),
        "yes",
        "session",
        says=["the hold ran out"],
        refusal="hold_lost",
        **HELD,
    ),
    case(
        "confirm hold lost, day full",
        at("confirm", AT_CONFIRM),
        "YA",
        "date",
        says=["waktu tahan habis", "sudah penuh"],
        refusal="hold_lost",
        full=[THURSDAY],
        **HELD,
    ),
    case(
        "confirm nik taken",
        at("confirm", AT_CONFIRM),
        "YA",
        "menu",
        ["ReleaseHold"],
        ["dari nomor lain"],
        refusal=Refusal("nik_taken", CODE2),
        **HELD,
    ),
    case(
        "confirm moved booking gone",
        at("confirm", MOVING_CONFIRM),
        "YA",
        "menu",
        ["ReleaseHold"],
        ["Kode itu tidak ada"],
        refusal=Refusal("unknown_booking", CODE),
        **HELD,
    ),
    case("confirm closed", at("confirm", AT_CONFIRM), "YA", "date", says=["kantor tutup"], refusal="closed", **HELD),
    # CancelBooking refused
    case(
        "cancel unknown booking",
        at("cancel_confirm", Draft(cancelling=CODE)),
        "YA",
        "menu",
        says=["Kode itu tidak ada"],
        refusal=Refusal("unknown_booking", CODE),
        **ONE_BOOKING,
    ),
]


@pytest.mark.parametrize(
    ("state", "text", "step_name", "effects", "says", "not_says", "lang", "draft_fields", "media", "facts"),
    REFUSED,
)
def test_refused(state, text, step_name, effects, says, not_says, lang, draft_fields, media, facts):
    first = run(state, text, make_facts(**{k: v for k, v in facts.items() if k != "refusal"}))
    refused = {type(e) for e in first.effects} - {ReleaseHold}
    assert refused, "the first run must ask for the effect storage then refuses"
    test_step(state, text, step_name, effects, says, not_says, lang, draft_fields, media, facts)
    outcome = run(state, text, make_facts(**facts))
    assert not refused & {type(e) for e in outcome.effects}


# --- whole conversations ------------------------------------------------------------------


def test_walkthrough_indonesian():
    world = World()
    assert "Layanan paspor Kantor Imigrasi Palembang" in world.say("Halo, selamat pagi")
    assert "Kirim dalam 1 pesan" in world.say("1")
    assert "Jenis paspor?" in world.say("1")
    assert "Nama lengkap sesuai KTP?" in world.say("2")
    assert "NIK (16 angka di KTP)?" in world.say("Budi Santoso")
    assert "Paling jauh Kamis, 31 Desember 2026" in world.say("1671 0145 0190 0001")
    assert "Rabu, 2 Desember 2026. Pilih sesi: 1) 08:00-10:00 (50 tempat)" in world.say("besok")
    summary = world.say("2")
    assert world.last.effects == (HoldPlace(WEDNESDAY, 2, "new", "electronic", "Budi Santoso", NIK),)
    assert "1 Paspor baru 2 elektronik 3 Budi Santoso 4 NIK ****0001 5 Rabu 2 Des 6 10:00-12:00." in summary
    booked = world.say("YA")
    (code,) = world.bookings
    assert world.last.effects == (ConfirmHold(code),)
    assert f"Booking berhasil. Kode: {code}. Rabu 2 Des 10:00-12:00" in booked
    assert "Bawa: e-KTP, KK, dan akta lahir" in booked

    assert f"Booking aktif: {code} Rabu, 2 Desember 2026 10:00-12:00 (terpesan)" in world.say("CEK")

    # UBAH: a new date and session, the same details and code.
    assert f"Ubah jadwal {code}" in world.say("UBAH")
    assert f"Pindahkan {code} ke Senin, 7 Desember 2026 13:00-15:00?" in world.say("Senin jam 13")
    assert f"Jadwal {code} dipindah ke Senin, 7 Desember 2026 13:00-15:00. Kode tetap sama." in world.say("ya")
    assert list(world.bookings) == [code]
    assert (world.bookings[code].day, world.bookings[code].session_id) == (MONDAY, 3)
    assert world.bookings[code].nik == NIK and world.hold is None
    assert f"{code} Senin, 7 Desember 2026 13:00-15:00" in world.say("cek")

    # One booking per NIK.
    world.say("PESAN")
    world.say("baru biasa")
    assert f"NIK ini sudah punya booking aktif {code}" in world.say(f"Siti Aminah {NIK}")
    assert world.state.step == "menu"

    # BATAL then YA.
    assert f"Batalkan {code} (Senin, 7 Desember 2026 13:00-15:00)? Balas YA atau TIDAK." in world.say("BATAL")
    assert f"Booking {code} dibatalkan" in world.say("YA")
    assert world.last.effects == (CancelBooking(code),)
    assert "Tidak ada booking aktif" in world.say("CEK")


def test_walkthrough_english():
    world = World()
    assert "passport service. Reply: 1 BOOK" in world.say("Hello, I would like to book an appointment")
    assert "Send in 1 message" in world.say("BOOK")
    assert "Please also send: name as on the KTP, NIK, date" in world.say("renewal electronic")
    assert "Which date?" in world.say("Budi Santoso 1671014501900001")
    assert "Saturday, 5 December 2026: the office is closed on that day" in world.say("Saturday")
    assert "holiday (Hari Raya Natal)" in world.say("25 December")
    summary = world.say("Friday session 1")
    assert "1 Renewal 2 electronic 3 Budi Santoso 4 NIK ****0001 5 Fri 4 Dec 6 08:00-10:00." in summary
    booked = world.say("yes")
    (code,) = world.bookings
    assert f"Booked. Code: {code}. Fri 4 Dec 08:00-10:00" in booked
    assert "Bring: e-KTP and your old passport" in booked
    assert f"Active bookings: {code} Friday, 4 December 2026" in world.say("STATUS")
    assert f"Change the date of {code}" in world.say("CHANGE")
    assert "Tuesday, 8 December 2026. Choose a session" in world.say("8 December")
    assert f"Move {code} to Tuesday, 8 December 2026 10:00-12:00?" in world.say("at 10:00")
    assert f"{code} is moved to Tuesday, 8 December 2026 10:00-12:00" in world.say("YES")
    assert f"Cancel {code}" in world.say("CANCEL")
    assert f"booking {code} stays as it is" in world.say("no")
    assert f"Cancel {code}" in world.say(f"cancel {code}")
    assert f"Booking {code} is cancelled" in world.say("yes")
    assert world.active() == []
    # ID switches back, EN again to English.
    assert "Layanan paspor" in world.say("ID")
    assert "passport service" in world.say("EN")


def test_walkthrough_cancel_a_booking_in_progress():
    world = World()
    for text in ["1", "baru", "biasa", "Budi Santoso", NIK, "Kamis", "1"]:
        world.send(text)
    assert world.hold is not None
    assert "Pemesanan dibatalkan" in world.say("BATAL")
    assert world.hold is None and world.bookings == {} and world.state == State(lang_known=True)


def test_walkthrough_handover():
    world = World()
    world.send("halo")
    assert "petugas kami akan membalas" in world.say("PETUGAS")
    assert world.state.handover
    for text in ["halo?", "1", "HELP", "CEK"]:
        assert world.send(text) == []
    assert "Balas MENU untuk kembali" in world.say("PETUGAS")
    assert "1 PESAN" in world.say("MENU")  # nobody took it over: the bot is back
    assert not world.state.handover


def test_walkthrough_opt_out():
    world = World()
    world.send("halo")
    assert "tidak akan menerima pesan lagi" in world.say("STOP")
    for text in ["halo", "MENU", "1", "STOP", "BANTUAN", "YA"]:
        assert world.send(text) == []
    assert "1 PESAN" in world.say("MULAI")
    assert "Kirim dalam 1 pesan" in world.say("1")


def test_walkthrough_opt_out_on_sms():
    world = World(channel="sms")
    assert world.send("STOP") == []  # Twilio answers STOP itself
    assert world.send("halo") == []
    assert "1 PESAN" in world.say("START")


def _to_session(world: World, day: str = "Kamis") -> None:
    for text in ["1", "baru elektronik", f"Budi Santoso {NIK}", day]:
        world.send(text)
    assert world.state.step == "session"


def test_walkthrough_session_fills_while_choosing():
    world = World()
    _to_session(world)
    world.fill(THURSDAY, 2)
    replies = world.say("2")
    assert "Sesi 2 sudah penuh" in replies and "2) 10:00" not in replies
    assert world.hold is None
    assert "4 NIK ****" in world.say("3")


def test_walkthrough_day_fills_while_choosing():
    world = World()
    _to_session(world)
    world.fill(THURSDAY)
    assert "Kamis, 3 Desember 2026 sudah penuh" in world.say("2")
    assert world.state.step == "date"


def test_walkthrough_office_closes_while_choosing():
    world = World()
    _to_session(world)
    world.closed[THURSDAY] = "office"
    assert "Kamis, 3 Desember 2026: kantor tutup." in world.say("2")


def test_walkthrough_refused_nik_taken():
    """Another phone books the same NIK after the NIK step: storage refuses the hold."""
    world = World()
    _to_session(world)
    world.other_niks[NIK] = CODE2
    replies = world.say("2")
    assert "dari nomor lain" in replies and CODE2 not in replies
    assert world.hold is None and world.state.step == "menu"


def test_walkthrough_refused_nik_taken_at_confirm():
    world = World()
    _to_session(world)
    world.send("2")
    world.other_niks[NIK] = CODE2
    assert "dari nomor lain" in world.say("YA")
    assert world.hold is None and world.bookings == {}


def test_walkthrough_refused_phone_limit():
    """The phone's other conversation fills its quota while this one is booking."""
    world = World(max_bookings=1)
    _to_session(world)
    world.bookings[CODE2] = Booked(CODE2, MONDAY, 1, "new", "ordinary", "Siti Aminah", NIK2)
    assert "sudah punya 1 booking aktif (batas 1)" in world.say("2")
    assert world.state.step == "menu"
    assert "batas 1" in world.say("1")


def test_walkthrough_refused_hold_lost():
    world = World()
    _to_session(world)
    world.send("2")
    world.now += dt.timedelta(minutes=11)
    world.fill(THURSDAY, 2)
    replies = world.say("YA")
    assert "waktu tahan habis" in replies and "Pilih sesi" in replies
    assert world.bookings == {}
    assert world.state.step == "session"
    world.send("1")
    world.say("YA")
    assert len(world.bookings) == 1


def test_walkthrough_lapsed_hold_still_free():
    world = World()
    _to_session(world)
    world.send("2")
    world.now += dt.timedelta(minutes=30)
    assert "Booking berhasil" in world.say("YA")


def test_walkthrough_refused_unknown_booking():
    """An officer cancels the booking being moved before the citizen says YA."""
    world = World()
    _to_session(world)
    world.send("2")
    world.send("YA")
    (code,) = world.bookings
    world.send("UBAH")
    world.send("Senin sesi 1")
    world.bookings[code].status = "cancelled"
    assert "Kode itu tidak ada" in world.say("YA")
    assert world.hold is None and world.state.step == "menu"


def test_walkthrough_cancelled_elsewhere_before_ya():
    world = World()
    _to_session(world)
    world.send("2")
    world.send("YA")
    (code,) = world.bookings
    world.send("BATAL")
    world.bookings[code].status = "cancelled"
    assert "Kode itu tidak ada" in world.say("YA")
    assert world.last.effects == ()


def test_walkthrough_several_bookings():
    world = World()
    codes = []
    for name, nik in [("Budi Santoso", NIK), ("Siti Aminah", NIK2)]:
        for text in ["1", "1", "1", f"{name} {nik}", "Kamis sesi 1", "YA"]:
            world.send(text)
        codes.append(world.last.effects[0].code)
    assert "Batalkan yang mana?" in world.say("BATAL")
    assert f"Batalkan {codes[1]}" in world.say("2")
    world.send("YA")
    assert [b.code for b in world.active()] == [codes[0]]


def test_walkthrough_state_survives_storage():
    """Every state the machine returns comes back the same from its JSON."""
    world = World()
    for text in ["1", "hilang", "elektronik", "Budi Santoso", NIK, "Kamis", "2", "EN", "YES", "CHANGE", "Monday"]:
        world.send(text)
        assert State.from_json(world.state.to_json()) == world.state


def test_nearest_days():
    facts = make_facts(full=[THURSDAY], closed={MONDAY: "office"})
    # Friday 4 December: Thursday is full, the weekend and Monday closed; ties go to the sooner.
    assert nearest_days(facts, FRIDAY) == [FRIDAY, WEDNESDAY, TODAY]
    # Saturday: Friday is 1 day away; Wednesday and Tuesday 8 December 3 days, Wednesday sooner.
    assert nearest_days(facts, SATURDAY, count=2) == [FRIDAY, WEDNESDAY]
    assert nearest_days(make_facts(full=list(make_facts().days)), FRIDAY) == []


# --- a language that stays ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["booking", "cancel", "thanks kak", "no 2", "ok", "CHECK", "yes", "Jum'at", "Jum\u2019at", "sorry", "please"],
)
def test_a_single_english_word_does_not_switch_an_indonesian_conversation(text):
    state = at("menu", lang="id", lang_known=True)
    outcome = run(state, text, make_facts())
    assert outcome.state.lang == "id", outcome.replies


@pytest.mark.parametrize(
    "text",
    ["I would like to book a passport appointment", "Hello, I need a new passport please", "EN", "english"],
)
def test_a_whole_english_sentence_or_en_switches_it(text):
    outcome = run(at("menu", lang="id", lang_known=True), text, make_facts())
    assert outcome.state.lang == "en"


@pytest.mark.parametrize("text", ["besok", "ya", "Senin", "makasih", "saya mau booking", "oke kak"])
def test_single_indonesian_words_do_not_switch_an_english_conversation(text):
    outcome = run(at("menu", lang="en", lang_known=True), text, make_facts())
    assert outcome.state.lang == "en"


def test_a_whole_indonesian_sentence_switches_an_english_conversation():
    outcome = run(at("menu", lang="en", lang_known=True), "saya mau pesan paspor baru untuk besok", make_facts())
    assert outcome.state.lang == "id"


@pytest.mark.parametrize(("text", "lang"), [("hello", "en"), ("halo", "id"), ("hi, I want to book", "en")])
def test_the_first_message_sets_the_language(text, lang):
    outcome = run(State(), text, make_facts())
    assert outcome.state.lang == lang and outcome.state.lang_known


def test_an_indonesian_booking_stays_indonesian_through_english_words():
    world = World()
    world.send("halo")
    for text in ["booking", "baru", "biasa", f"Budi Santoso {NIK}", "Jum'at", "no 2"]:
        replies = world.send(text)
        assert world.state.lang == "id", (text, replies)
    assert world.state.step == "confirm"
    assert "4 NIK ****" in replies[0]


@pytest.mark.parametrize(
    ("text", "start"),
    [("pagi", "08:00"), ("sesi satu", "08:00"), ("yang pertama", "08:00"), ("jam 10", "10:00"), ("no 2", "10:00"),
     ("jam 1 siang", "13:00"), ("siang", "13:00"), ("yang ketiga", "13:00")],
)  # fmt: skip
def test_the_session_step_understands_how_people_name_a_session(text, start):
    outcome = run(at("session", AT_SESSION), text, make_facts())
    (hold,) = outcome.effects
    assert SESSIONS[hold.session_id - 1][1] == start


@pytest.mark.parametrize(
    ("text", "lang", "said"),
    [
        ("Senin 8/12", "id", "Selasa, 8 Desember 2026 bukan hari Senin."),
        ("senin, 8 Desember", "id", "Selasa, 8 Desember 2026 bukan hari Senin."),
        ("Kamis tgl 8", "id", "Selasa, 8 Desember 2026 bukan hari Kamis."),
        ("Monday 8 Dec 2026", "en", "Tuesday, 8 December 2026 is not a Monday."),
    ],
)
def test_a_weekday_that_does_not_match_its_date_is_explained(text, lang, said):
    outcome = run(at("date", AT_DATE, lang=lang, lang_known=True), text, make_facts())
    assert outcome.state.step == "date" and outcome.effects == ()
    assert outcome.replies[0].startswith(said)


def test_the_last_bookable_day_announced_is_an_open_day():
    """30 days from Tuesday 1 December is Thursday 31 December; with it closed, Wednesday 30."""
    facts = make_facts(closed={date(2026, 12, 31): "office"})
    outcome = run(at("date", AT_DATE), "xyz", facts)
    asked = run(at("nik", AT_NIK), NIK, facts)
    assert "Paling jauh Rabu, 30 Desember 2026." in asked.replies[-1]
    assert outcome.state.step == "date"


def test_the_last_day_skips_a_closed_saturday():
    facts = make_facts(book_ahead_days=4)  # Saturday 5 December is the last day of the window
    asked = run(at("nik", AT_NIK), NIK, facts)
    assert "Paling jauh Jumat, 4 Desember 2026." in asked.replies[-1]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("ya", "bukan YA/TIDAK"),
        ("tidak", "bukan YA/TIDAK"),
        ("oke", "bukan YA/TIDAK"),
        ("halo kak", "Halo! Tulis nama lengkap"),
        ("saya mau perpanjang", "Tulis nama lengkap saja"),
        ("Budi 2", "dengan huruf"),
    ],
)
def test_what_is_not_a_name_is_refused_with_an_example(text, said):
    outcome = run(at("name", AT_NAME), text, make_facts())
    assert outcome.state.step == "name" and outcome.state.draft.name is None
    assert said in outcome.replies[0] and "Contoh: Budi Santoso" in outcome.replies[0]


@pytest.mark.parametrize(
    ("text", "name"),
    [("Siti Nur\u2019aini", "Siti Nur'aini"), ("Muh. Rizky", "Muh. Rizky"), ("Nur\u02bcaini", "Nur'aini")],
)
def test_real_names_with_apostrophes_and_dots_are_taken(text, name):
    outcome = run(at("name", AT_NAME), text, make_facts())
    assert outcome.state.step == "nik" and outcome.state.draft.name == name


def test_emoji_are_dropped_from_a_name_with_a_note():
    outcome = run(at("name", AT_NAME), "Budi Santoso \U0001f60a", make_facts())
    assert outcome.state.draft.name == "Budi Santoso"
    assert outcome.replies[0] == "Emoji tidak dipakai dalam nama: Budi Santoso."


@pytest.mark.parametrize("text", ["1671 0145 0190 0001 2", "16710145019000012", "NIK saya 1671 0145 0190 0001 2"])
def test_a_nik_of_seventeen_digits_is_refused_never_cut(text):
    outcome = run(at("nik", AT_NIK), text, make_facts())
    assert outcome.state.step == "nik" and outcome.state.draft.nik is None
    assert outcome.replies == ("NIK harus 16 angka. Coba lagi.",)


def test_a_letter_in_a_nik_gets_the_digits_only_message():
    outcome = run(at("nik", AT_NIK), "NIK saya 16710145O1900001", make_facts())
    assert outcome.replies == ("NIK hanya berisi angka. Coba lagi.",)


# --- questions answered -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("berapa biayanya?", "Rp350.000"),
        ("biaya paspor elektronik berapa", "Rp650.000"),
        ("jam buka kantor?", "08:00"),
        ("alamat kantor dimana", "Jl. Jenderal Sudirman No. 1"),
        ("bisa datang tanpa booking?", "prioritas"),
        ("saya mau tanya syarat perpanjang paspor untuk anak di bawah umur", "akta lahir"),
    ],
)
@pytest.mark.parametrize("state", [MENU, at("name", AT_NAME), at("date", AT_DATE), at("session", AT_SESSION)])
def test_a_question_at_any_step_is_answered_then_the_step_asked_again(text, said, state):
    outcome = run(state, text, make_facts())
    assert said in outcome.replies[0], outcome.replies
    assert outcome.effects == ()
    assert outcome.state.step == state.step and outcome.state.draft == state.draft
    if state.step != "menu":
        assert len(outcome.replies) == 2  # the answer, then the pending question again
    else:
        assert "Balas 1 untuk memesan" in outcome.replies[1]


def test_a_question_in_english_is_answered_in_english():
    outcome = run(at("menu", lang="en", lang_known=True), "how much does it cost?", make_facts())
    assert "Rp350,000" in outcome.replies[0]


def test_fees_are_the_ones_in_force_today():
    outcome = run(MENU, "berapa biayanya?", make_facts())
    assert "Rp950.000" in outcome.replies[0]  # PP 45/2024: the 10-year e-passport


# --- four messages, two for experts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "lang"),
    [
        (["halo", "1", f"baru biasa, Budi Santoso, {NIK}, besok", "ya"], "id"),
        (["halo", "PESAN", f"perpanjang elektronik\nBudi Santoso\n{NIK}\nKamis sesi 2", "siap"], "id"),
        (["hello", "1", f"new ordinary, John Smith, {NIK}, tomorrow", "yes"], "en"),
        (["hi", "BOOK", f"renewal electronic John Smith {NIK} next Monday", "YES"], "en"),
    ],
)
def test_a_first_timer_books_in_four_messages(messages, lang):
    world = World()
    for text in messages[:-1]:
        world.send(text)
    assert world.state.step == "confirm", world.log[-1][2].replies
    replies = world.send(messages[-1])
    assert world.state.lang == lang
    assert len(world.bookings) == 1 and replies[0].startswith(("Booking berhasil", "Booked"))


@pytest.mark.parametrize(
    "message",
    [
        f"pesan paspor baru biasa, Budi Santoso, {NIK}, besok sesi 1",
        f"Mau daftar paspor baru elektronik. Nama: Budi Santoso. NIK {NIK}. Tanggal Kamis jam 10",
        f"booking perpanjang biasa {NIK} Budi Santoso 3/12 pagi",
        f"book a new ordinary passport, Budi Santoso, {NIK}, tomorrow session 3",
    ],
)
def test_everything_in_one_message_books_in_two(message):
    world = World()
    replies = world.send(message)
    assert world.state.step == "confirm", replies
    assert world.send("YA" if "book a" not in message else "yes")[0].startswith(("Booking berhasil", "Booked"))
    (booking,) = world.bookings.values()
    assert booking.name == "Budi Santoso" and booking.nik == NIK


def test_what_is_understood_is_said_and_only_what_is_missing_is_asked():
    world = World()
    world.send("1")
    replies = world.send("baru biasa, Budi Santoso")
    assert replies == [
        "Dicatat: Paspor baru, biasa; Budi Santoso. Kirim juga: NIK, tanggal. Contoh: 1671014501900001, besok"
    ]
    replies = world.send(f"{NIK} Senin")
    assert world.state.step == "confirm" and "5 Senin 7 Des 6 08:00-10:00" in replies[0]
    assert replies[1] == "Sesi lain yang masih ada tempat: 2) 10:00, 3) 13:00. Balas SESI dan nomornya untuk pindah."


def test_one_thing_at_a_time_still_gets_there():
    world = World()
    for text in ["halo", "1", "1", "2", "Budi Santoso", NIK, "Kamis", "1"]:
        world.send(text)
    assert world.state.step == "confirm"
    assert world.send("YA")[0].startswith("Booking berhasil")


def test_no_part_of_a_message_is_dropped_silently():
    world = World()
    world.send("1")
    replies = world.send(f"baru biasa, Budi Santoso, {NIK}, qwerty zzz, besok")
    assert 'Bagian ini belum kami mengerti: "qwerty zzz".' in replies


def test_a_refused_nik_in_a_full_message_keeps_the_rest():
    world = World()
    world.send("1")
    replies = world.send("baru biasa, Budi Santoso, 1671 0145 0190 0001 2, besok")
    assert "NIK harus 16 angka. Coba lagi." in replies
    assert world.state.step == "nik" and world.state.draft.name == "Budi Santoso"
    assert world.state.draft.date == WEDNESDAY
    assert "4 NIK ****" in world.send(NIK)[0]


def test_a_nik_taken_in_a_full_message_is_refused():
    world = World(other_niks={NIK: "PLG-AAAAAA"})
    replies = world.send(f"pesan baru biasa, Budi Santoso, {NIK}, besok")
    assert world.state.step == "menu" and "sudah punya booking aktif dari nomor lain" in replies[-1]


def test_a_closed_day_in_a_full_message_offers_the_nearest():
    world = World()
    replies = world.send(f"pesan baru biasa, Budi Santoso, {NIK}, Sabtu")
    assert world.state.step == "date" and "kantor tutup" in replies[0]
    assert "Tanggal terdekat" in " ".join(replies)


# --- corrections at the summary ----------------------------------------------------------------


def _at_summary(world: World) -> None:
    world.send(f"pesan baru biasa, Budi Santoso, {NIK}, Kamis sesi 2")
    assert world.state.step == "confirm"


@pytest.mark.parametrize(
    ("texts", "field", "value"),
    [
        (["salah nama", "Budi Santosa"], "name", "Budi Santosa"),
        (["nama salah, Budi Santosa"], "name", "Budi Santosa"),
        (["ganti nama: Siti Aminah"], "name", "Siti Aminah"),
        (["NIK salah", NIK2], "nik", NIK2),
        (["ganti tanggal", "Jumat"], "date", FRIDAY),
        (["ganti tanggal Senin"], "date", MONDAY),
        (["wrong name", "John Smith"], "name", "John Smith"),
        (["ganti jenis", "elektronik"], "passport_type", "electronic"),
        (["salah layanan, perpanjang"], "service", "renewal"),
        # by the number of the detail in the summary
        (["3", "Budi Santosa"], "name", "Budi Santosa"),
        (["no 3", "Budi Santosa"], "name", "Budi Santosa"),
        (["salah 3: Siti Aminah"], "name", "Siti Aminah"),
        (["3 salah, Siti Aminah"], "name", "Siti Aminah"),
        (["no. 4 salah", NIK2], "nik", NIK2),
        (["ganti 4", NIK2], "nik", NIK2),
        (["5", "Jumat"], "date", FRIDAY),
        (["ganti 4/12"], "date", FRIDAY),
        (["2", "elektronik"], "passport_type", "electronic"),
        (["1", "perpanjang"], "service", "renewal"),
        (["wrong 3", "John Smith"], "name", "John Smith"),
    ],
)
def test_a_detail_is_corrected_at_the_summary_and_the_summary_shown_again(texts, field, value):
    world = World()
    _at_summary(world)
    for text in texts:
        replies = world.send(text)
    assert world.state.step == "confirm", replies
    assert getattr(world.state.draft, field) == value
    assert "4 NIK ****" in replies[0]
    assert world.send("YA")[0].startswith("Booking berhasil")
    (booking,) = world.bookings.values()
    assert getattr(booking, {"date": "day"}.get(field, field)) == value


def test_a_corrected_name_keeps_the_session():
    world = World()
    _at_summary(world)
    world.send("salah nama, Budi Santosa")
    assert world.hold is not None and world.hold.session_id == 2


@pytest.mark.parametrize(
    ("text", "session_id"),
    [("sesi 3", 3), ("sesi 1", 1), ("jam 13", 3), ("pagi", 1), ("6 sesi 3", 3), ("ganti 6, jam 13", 3)],
)
def test_another_session_of_the_day_at_the_summary(text, session_id):
    world = World()
    _at_summary(world)
    replies = world.send(text)
    assert world.state.step == "confirm" and world.hold.session_id == session_id, replies
    assert replies[0].startswith("1 Paspor")


def test_ganti_sesi_asks_the_sessions_again():
    world = World()
    _at_summary(world)
    replies = world.send("ganti sesi")
    assert world.state.step == "session" and "Pilih sesi" in replies[0]


def test_the_held_session_named_again_at_the_summary_holds_nothing_more():
    """Found by Hypothesis: "sesi 1" at the summary of a hold in session 1 (whose own place
    makes it look full) asked storage for a second place in a full session."""
    world = World(capacity=1)
    _at_summary(world)
    replies = world.send("sesi 2")
    assert world.log[-1][2].effects == () and world.state.step == "confirm"
    assert replies == ["Balas YA untuk memesan, BATAL, atau nomor yang salah (misalnya: 3, salah nama, ganti tanggal)."]
