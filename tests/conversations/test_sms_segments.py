"""SMS segments: the counting rules, and every catalogue text within its budget on SMS.

Issue 8 item 10: on SMS the summary and every prompt fit 1 segment; the confirmation, the
reminder and SYARAT at most 2; a refusal and its nearest dates one message (a concatenated
SMS arrives as one message: at most 2 segments); and no text tells a citizen to send a word
that Twilio takes for an opt-out (BATAL, not CANCEL; STOP only to stop).

Each text is measured as sent on SMS (fit_to_channel) and filled in the longest realistic
way: the longest office name and address the project knows, the longest date format_date
says, a 30-letter name, a booking code as storage/bookings.py makes it.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import string
from collections.abc import Callable, Iterable, Iterator

import pytest

from conversations import machine, words
from conversations.catalogue import LANGUAGES, MESSAGES, render
from conversations.channels import Channel, fit_to_channel, sms_segments, to_gsm7
from conversations.dates import format_date, format_date_short, weekday_name
from conversations.facts import BookingInfo, Facts
from conversations.nik import mask_nik
from conversations.state import Draft, State

# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, segments",
    [
        ("", 1),  # Twilio bills an empty body as one segment
        ("a", 1),
        # GSM-7: 160 septets in one segment, 153 a segment when concatenated.
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),  # 153 * 2
        ("a" * 307, 3),
        ("a" * 459, 3),  # 153 * 3
        ("a" * 460, 4),
        ("é£¥§¿ÄÖÑÜäöñüàΔΦΓΛΩΠΨΣΘΞ" * 6 + "a" * 16, 1),  # the basic set: a septet each, 160
        ("é£¥§¿ÄÖÑÜäöñüàΔΦΓΛΩΠΨΣΘΞ" * 6 + "a" * 17, 2),
        ("\n" * 160, 1),
        # The extension table (and form feed) takes two septets a character.
        ("€" * 80, 1),
        ("€" * 80 + "a", 2),
        ("a" * 158 + "^", 1),
        ("a" * 159 + "^", 2),
        ("a" * 159 + "\f", 2),
        ("{}\\[~]|€^\f" * 8, 1),  # 10 characters, 20 septets, 8 times: 160
        ("{}\\[~]|€^\f" * 8 + "a", 2),
        # An extended character is never split between segments: it starts the next one.
        ("a" * 151 + "[" + "a" * 153, 2),  # 153 | 153
        ("a" * 151 + "[" + "a" * 154, 3),
        ("a" * 152 + "[" + "a" * 151, 2),  # 152 | 2 + 151
        ("a" * 152 + "[" + "a" * 152, 3),  # 306 septets, yet 152 | 153 | 1
        ("a" * 304 + "]", 2),  # 153 | 151 + 2
        ("a" * 305 + "]", 3),
        # UCS-2 as soon as one character is not GSM-7: 70 code units, 67 a segment.
        ("ж" * 70, 1),
        ("ж" * 71, 2),
        ("a" * 69 + "ж", 1),
        ("a" * 70 + "ж", 2),
        ("ж" * 134, 2),  # 67 * 2
        ("ж" * 135, 3),
        ("’" * 70, 1),  # a curly apostrophe is not GSM-7
        ("a" * 133 + "’", 2),
        ("a" * 159 + "’", 3),  # 160 characters, but UCS-2: 67 | 67 | 26
        # An emoji outside the BMP is a surrogate pair: two code units, never split.
        ("😀", 1),
        ("😀" * 35, 1),
        ("😀" * 35 + "a", 2),
        ("a" * 68 + "😀", 1),
        ("a" * 69 + "😀", 2),
        ("a" * 66 + "😀" + "a" * 65, 2),  # 66 | 2 + 65
        ("a" * 66 + "😀" + "a" * 66, 3),
        ("😀" * 67, 3),  # 134 code units, yet 33 pairs a segment: 33 | 33 | 1
    ],
)
def test_sms_segments(text, segments):
    assert sms_segments(text) == segments


def test_segments_of_what_we_send():
    # On SMS the hotline sends GSM-7 only: an emoji becomes "?", a curly quote a straight one.
    text = "Terima kasih 😀 ’ " + "a" * 140
    assert sms_segments(text) == 3
    assert sms_segments(to_gsm7(text)) == sms_segments(fit_to_channel(text, Channel.SMS)) == 1


# --- the longest realistic values ------------------------------------------------------------

OFFICE = "Kantor Imigrasi Kelas I TPI Palembang"
ADDRESS = ", Jl. Parameswara No. 1, Bukit Lama, Palembang"  # hotline/offices/default.toml, as machine.py adds it
CODE = "PLG-7K3QXM"  # storage/bookings.new_code: the office code (PLG, the default office), "-", 6 characters
NAME = "Muhammad Rizky Pratama Saputra"  # 30 letters
NIK = mask_nik("1671014501900001")
HOLIDAY = "Hari kedua dari Hari Raya Idul Fitri (perkiraan)"  # the longest name storage/calendar.py gives
SESSIONS = (("08:00", "10:00"), ("10:00", "12:00"), ("13:00", "15:00"))  # the default office's
PLACES = 50  # a session's capacity in the default office
BOOKINGS_LISTED = 2  # a list of bookings: a parent and a child
YEARS = range(2026, 2029)


def _days() -> Iterator[dt.date]:
    day = dt.date(YEARS.start, 1, 1)
    while day.year in YEARS:
        yield day
        day += dt.timedelta(days=1)


@functools.cache
def longest_day(lang: str, say: Callable[[dt.date, str], str] = format_date) -> dt.date:
    """The working day said longest (a refused Sunday is no longer)."""
    return max((day for day in _days() if day.weekday() < 5), key=lambda day: len(say(day, lang)))


def longest_date(lang: str, say: Callable[[dt.date, str], str] = format_date) -> str:
    return say(longest_day(lang, say), lang)


@functools.cache
def longest_nearest_dates(lang: str, say: Callable[[dt.date, str], str] = format_date) -> str:
    """The longest three nearest dates (Monday to Friday open), as storage/quota.py says them or machine.py."""
    longest = ""
    for day in _days():
        around = [day + dt.timedelta(days=n) for n in range(-7, 8) if n]
        open_days = sorted((d for d in around if d.weekday() < 5), key=lambda d: (abs((d - day).days), d))[:3]
        said = "; ".join(say(d, lang) for d in sorted(open_days))
        longest = max(longest, said, key=len)
    return longest


def longest(ids: list[str], lang: str) -> str:
    return max((render(i, lang) for i in ids if i in MESSAGES), key=len)


def longest_choice(prefix: str, choices: Iterable[str], lang: str) -> str:
    """The choice ("lost", "electronic") whose text (service_lost, type_electronic) is longest."""
    return max(choices, key=lambda choice: len(render(f"{prefix}_{choice}", lang)))


SERVICES = tuple(machine.SERVICE_CHOICES.values())


def documents(lang: str, child: bool) -> list[str]:
    """What to bring for every service (catalogue.documents_for), an adult's or a child's."""
    ids = [f"documents_child_{s}" if child else f"documents_{s}" for s in SERVICES]
    return [render(i, lang) for i in ids if i in MESSAGES]


@functools.cache
def alternatives(lang: str) -> dict[str, tuple[object, ...]]:
    """Every value a placeholder may take, realistic and long (each text is measured at its worst)."""
    day = longest_date(lang)
    status = longest(["status_booked", "status_confirmed"], lang)
    notes = [
        "",
        " " + render("booked_confirmed", lang),
        " " + render("booked_remind", lang, time="09:00", deadline="20:00"),
    ]
    return {
        "office": (OFFICE,),
        "address": (ADDRESS, ""),
        "code": (CODE,),
        "date": (day,),
        "last": (day,),
        "dates": (longest_nearest_dates(lang),),
        "holiday": (HOLIDAY,),
        "weekday": (max((weekday_name(n, lang) for n in range(7)), key=len),),
        "when": (f"{day} 08:00",),
        "start": ("08:00",),
        "end": ("10:00",),
        "time": ("09:00",),
        "deadline": ("20:00",),
        "number": (3,),
        "available": (PLACES,),
        "minutes": (30,),  # two digits: 10 held at the summary, 30 for a waiting-list offer
        "count": (5,),
        "limit": (5,),
        "year": (2015,),
        "service": (longest([f"service_{s}" for s in SERVICES], lang),),
        "passport_type": (longest(["type_ordinary", "type_electronic"], lang),),
        "name": (NAME,),
        "nik": (NIK,),
        "status": (status,),
        "sessions": (
            ", ".join(
                render("session_line", lang, number=n, start=s, end=e, available=PLACES)
                for n, (s, e) in enumerate(SESSIONS, 1)
            ),
        ),
        "bookings": (machine._awaiting_lines(*_listed(lang)),),  # the answers to a reminder
        "documents": tuple(documents(lang, child=False)),
        "confirmation": tuple(notes),
        "release_note": ("", " " + render("reminder_deadline", lang, time="20:00")),
        "parts": ('"tolong secepatnya ya kak"',),  # what the citizen wrote and was not read: theirs
        "details": (machine._known_details(_turn(lang, draft=Draft(name=NAME, date=longest_day(lang)))),),
    }


def _turn(lang: str, bookings: tuple[BookingInfo, ...] = (), draft: Draft | None = None) -> machine._Turn:
    """A turn of machine.py, to have its helpers say the lists and details as it does."""
    facts = Facts(office_name=OFFICE, today=dt.date(YEARS.start, 1, 1), book_ahead_days=30, days={}, bookings=bookings)
    state = State(lang=lang, draft=draft or Draft())
    return machine._Turn(state, facts, dt.datetime(YEARS.start, 1, 1))


def _listed(
    lang: str, say: Callable[[dt.date, str], str] = format_date
) -> tuple[machine._Turn, tuple[BookingInfo, ...]]:
    """BOOKINGS_LISTED bookings of 30-letter names on the day said longest, in a turn."""
    day = longest_day(lang, say)
    booking = BookingInfo(CODE, day, "08:00", "10:00", "confirmed", "lost", "electronic", NAME, "0001")
    bookings = (booking,) * BOOKINGS_LISTED
    return _turn(lang, bookings), bookings


def own_alternatives(message_id: str, lang: str) -> dict[str, tuple[object, ...]]:
    """The values of the texts machine.py fills in a way of their own (its helpers say them)."""
    if message_id == "summary":  # machine._hold: a short date, the NIK's last 4 digits, a child marked
        child = f" ({render('child_label', lang)})" if "child_label" in MESSAGES else ""
        return {"name": (NAME, NAME + child), "nik": ("****0001",), "date": (longest_date(lang, format_date_short),)}
    if message_id in ("booked", "reminder"):  # a short date; an adult's or a child's documents
        return {
            "date": (longest_date(lang, format_date_short),),
            "documents": (*documents(lang, child=False), *documents(lang, child=True)),
        }
    if message_id == "nearest_dates":  # machine._offer_nearest: short dates
        return {"dates": (longest_nearest_dates(lang, format_date_short),)}
    lists = [_listed(lang, say) for say in (format_date, format_date_short)]
    if message_id == "bookings_list":  # machine._status
        return {"bookings": tuple("; ".join(machine._booking_line(t, b) for b in bs) for t, bs in lists)}
    if message_id in ("pick_cancel", "pick_move"):
        return {"bookings": tuple(machine._booking_codes(t) for t, _ in lists)}
    return {}


def ask_more_cases(lang: str) -> Iterator[dict[str, object]]:
    """Every way machine._continue_booking asks for several missing details at once."""
    fields = machine.COLLECTING
    given = {
        "service": longest_choice("service", SERVICES, lang),
        "passport_type": longest_choice("type", machine.TYPE_CHOICES.values(), lang),
        "name": NAME,
        "nik": "1671014501900001",
        "date": longest_day(lang),
    }
    for child, told in itertools.product((False, True), (False, True)):
        for size in range(2, len(fields) + 1):
            for missing in itertools.combinations(fields, size):
                draft = Draft(child=child, **{f: v for f, v in given.items() if f not in missing})
                suffix = lambda f: "_child" if child and f in ("name", "nik") else ""
                yield {
                    "known": machine._known_details(_turn(lang, draft=draft)) if told else "",
                    "missing": ", ".join(render(f"field_{f}{suffix(f)}", lang) for f in missing),
                    "example": ", ".join(render(f"example_{f}", lang) for f in missing),
                }


def cases(message_id: str, lang: str) -> Iterator[dict[str, object]]:
    if message_id == "ask_more":
        yield from ask_more_cases(lang)
        return
    choices = {**alternatives(lang), **own_alternatives(message_id, lang)}
    names = sorted(_placeholders(message_id))
    for values in itertools.product(*(choices[name] for name in names)):
        yield dict(zip(names, values, strict=True))


def _placeholders(message_id: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(MESSAGES[message_id]["id"]) if name}


def sms(text: str) -> str:
    return fit_to_channel(text, Channel.SMS)


def worst(message_id: str, lang: str) -> str:
    """Return the text as sent on SMS, filled in to take the most segments (the longest among equals)."""
    texts = [sms(render(message_id, lang, **params)) for params in cases(message_id, lang)]
    return max(texts, key=lambda text: (sms_segments(text), len(text)))


# --- the budgets ----------------------------------------------------------------------------

# Every text sent on its own is in exactly one of the three tables below: a message added to
# the catalogue fails test_every_message_has_a_budget until it is put in one.

# One segment: the summaries, every prompt and hint, every answer and notice.
ONE_SEGMENT = {
    # the menu, keywords, and what the bot says when it does not understand
    *("menu", "help", "not_understood", "question_more", "media_only", "offer_agent", "opted_out"),
    # asking for the details of a booking, and refusing a detail
    *("ask_details", "ask_details_child", "details_not_read", "ask_service", "ask_passport_type"),
    *("ask_name", "ask_name_child", "name_letters", "name_length", "name_yes_no", "name_greeting"),
    *("name_sentence", "name_emoji_dropped", "ask_nik", "ask_nik_child", "child_nik", "ask_family"),
    "booked_family",
    *("nik_length", "nik_digits", "nik_region", "nik_birth_date", "nik_serial"),
    *("nik_taken", "nik_taken_other", "phone_limit"),
    # dates and sessions (a refusal and its nearest dates: also test_a_refusal_and_its_nearest_dates)
    *("ask_date", "bad_date", "date_conflict", "date_past", "date_too_far", "date_weekday", "date_holiday"),
    *("date_office", "date_full", "nearest_dates", "no_dates", "ask_session", "session_no_places"),
    *("session_full", "summary_other_sessions"),
    # the summary and its answers
    *("summary", "move_summary", "confirm_hint", "move_confirm_hint", "moved", "hold_lost"),
    *("draft_cancelled", "nothing_changed", "hold_expired", "move_expired"),
    # CEK, UBAH, BATAL
    *("no_bookings", "pick_cancel", "pick_move", "unknown_code", "ask_cancel", "cancelled", "kept"),
    *("yes_no_hint", "move_start"),
    # the officers
    *("handover", "handover_closed", "handover_ended"),
    # the day before
    *("reminder_confirmed", "reminder_pending", "reminder_hint", "release"),
    # the waiting list
    *("waitlist_invite", "waitlist_joined", "waitlist_already", "waitlist_offer", "waitlist_expired"),
    "offer_declined",
    # what the office did
    *("office_cancelled", "office_moved", "date_closed_none", "date_reopened"),
}
# At most 2 segments: the confirmation, the reminder, SYARAT, and what is long by nature.
TWO_SEGMENTS = {
    "booked": "the confirmation: code, date, office and address, documents to bring, the reminder note",
    "reminder": "the reminder: the whole booking and its documents again, YA/BATAL and the release time",
    "documents_intro": "SYARAT: the documents of every service (documents_all)",
    "bookings_list": "CEK: a line per active booking, with its date, session and status",
    "date_closed": "the office closed a booked day: its date, three nearest dates, the code to move by reply",
    "ask_more": "says back what was noted (a name, a date) and asks for up to five details, an example of each",
}
# Never sent alone: measured in the texts that carry them.
PARTS = {
    "documents_all": "documents_intro",
    **{f"documents_{s}": "booked" for s in SERVICES},
    **{f"documents_child_{s}": "booked" for s in SERVICES},
    "booked_remind": "booked",
    "booked_confirmed": "booked",
    "reminder_deadline": "reminder",
    "session_line": "ask_session",
    "booking_line": "bookings_list",
    "status_booked": "bookings_list",
    "status_confirmed": "bookings_list",
    "known": "ask_more",
    "child_label": "summary",
    **{f"service_{s}": "summary" for s in SERVICES},
    "type_ordinary": "summary",
    "type_electronic": "summary",
    **{f"field_{f}": "ask_more" for f in (*machine.COLLECTING, "name_child", "nik_child")},
    **{f"example_{f}": "ask_more" for f in machine.COLLECTING},
}
# A date that cannot be booked is said with the nearest dates that can, in one SMS
# (machine._check_day and _refused: the nearest dates are added to the refusal).
REFUSALS = ("date_past", "date_too_far", "date_weekday", "date_holiday", "date_office", "date_full")


def test_every_message_has_a_budget():
    """A new message must be put in ONE_SEGMENT, TWO_SEGMENTS (with a reason) or PARTS."""
    tables = [ONE_SEGMENT, set(TWO_SEGMENTS), set(PARTS)]
    assert not set.intersection(*tables[:2]) and not set.intersection(*tables[::2])
    assert not set.intersection(*tables[1:])
    assert not set(MESSAGES) - set.union(*tables), "classify these messages"
    assert not set.union(*tables) - set(MESSAGES), "classified but gone from the catalogue"


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_every_placeholder_has_a_realistic_value(message_id):
    if message_id != "ask_more":
        assert _placeholders(message_id) <= set(alternatives("id")), "add its values to alternatives()"


@pytest.mark.parametrize("message_id", sorted(ONE_SEGMENT & set(MESSAGES)))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_segment(message_id, lang):
    text = worst(message_id, lang)
    assert sms_segments(text) == 1, (len(text), text)


@pytest.mark.parametrize("message_id", sorted(set(TWO_SEGMENTS) & set(MESSAGES)))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_at_most_two_segments(message_id, lang):
    text = worst(message_id, lang)
    assert sms_segments(text) <= 2, (len(text), text)


@pytest.mark.parametrize("part, host", sorted(PARTS.items()))
def test_parts_are_said_in_their_host(part, host):
    assert host in MESSAGES and host not in PARTS


@pytest.mark.parametrize("refusal", REFUSALS)
@pytest.mark.parametrize("offer", ["nearest_dates", "no_dates"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_refusal_and_its_nearest_dates_are_one_sms(refusal, offer, lang):
    text = f"{worst(refusal, lang)} {worst(offer, lang)}"  # machine._Turn.say_more
    assert sms_segments(text) == 1, (len(text), text)


# --- opt-out words --------------------------------------------------------------------------

# Twilio's default opt-out keywords for SMS ("Advanced Opt-Out": STOP, UNSUBSCRIBE, END, QUIT,
# STOPALL, REVOKE, OPTOUT, CANCEL; STOP ALL too). A citizen who sends one is opted out by
# Twilio and gets no more SMS from the hotline.
OPT_OUT = {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
# The only texts that may name an opt-out word: the keyword list, which names STOP to stop.
STOP_INSTRUCTIONS = {"help": {"STOP"}}
VERB = re.compile(r"\b(?:reply|send|text|type|balas|kirim|ketik)\s+[\"']?([A-Za-z]+(?: [A-Za-z]+)?)", re.IGNORECASE)


def told_to_send(text: str) -> set[str]:
    """Return the opt-out words the text asks for: written as a keyword (capitals) or after a verb."""
    said = {w for w in OPT_OUT if re.search(rf"\b{w}\b", text)}
    for match in VERB.finditer(text):
        phrase = match.group(1).upper()
        said |= {w for w in OPT_OUT if phrase == w or phrase.split()[0] == w}
    return said


def test_the_opt_out_words_cover_the_machines():
    assert words.TWILIO_STOP_WORDS <= OPT_OUT


@pytest.mark.parametrize(
    "text, said",
    [
        ("Reply YES or CANCEL.", {"CANCEL"}),
        ("Send stop to stop.", {"STOP"}),
        ("Balas end", {"END"}),
        ("4 CANCEL, 5 DOCUMENTS", {"CANCEL"}),
        ("Reply YES to confirm or BATAL to cancel.", set()),
        ("Which booking do you want to cancel?", set()),
        ("{start}-{end}", set()),
    ],
)
def test_told_to_send(text, said):
    assert told_to_send(text) == said


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_opt_out_word_but_stop_to_stop(message_id, lang):
    for params in cases(message_id, lang):
        text = sms(render(message_id, lang, **params))
        assert told_to_send(text) <= STOP_INSTRUCTIONS.get(message_id, set()), text
