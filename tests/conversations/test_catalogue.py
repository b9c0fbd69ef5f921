"""The message catalogue: both languages everywhere, GSM-7 only, prompts in one SMS."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from conversations import machine, names
from conversations.catalogue import LANGUAGES, MESSAGES, placeholders, render
from conversations.channels import GSM7, GSM7_EXTENDED
from conversations.dates import format_date

OFFICE = "Kantor Imigrasi Kelas I TPI Palembang XY"  # 40 characters
# The longest dates the machine says, in each language.
LONG_DATE = {"id": "Selasa, 30 September 2026", "en": "Wednesday, 30 September 2026"}
# Messages that carry lists or a whole booking: they may take more than one SMS segment.
LONG_MESSAGES = {
    "summary",
    "booked",
    "documents_all",
    "documents_intro",
    "bookings_list",
    "pick_cancel",
    "pick_move",
    "ask_session",
    "reminder",
    "date_closed",
}
SEGMENT = 160


def gsm7_length(text: str) -> int:
    """Return the number of GSM-7 septets the text takes (extended characters take two)."""
    return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)


def sample_params(lang: str) -> dict[str, object]:
    """Return long but realistic values for every placeholder the catalogue uses."""
    day = LONG_DATE[lang]
    return {
        "office": OFFICE,
        "code": "PLG-7K3QXM",
        "count": 5,
        "limit": 5,
        "last": day,
        "date": day,
        "holiday": "Cuti Bersama Hari Raya Idul Fitri",
        "dates": "; ".join([day] * 3),
        "sessions": "1) 08:00-10:00 (50 tempat), 2) 10:00-12:00 (50 tempat)",
        "number": 3,
        "start": "13:00",
        "end": "15:00",
        "available": 100,
        "service": "Perpanjang/ganti",
        "passport_type": "elektronik",
        "name": "Budi Santoso",
        "nik": "************0001",
        "minutes": 10,
        "address": ", Jl. Jenderal Sudirman No. 1",
        "documents": "e-KTP",
        "bookings": f"PLG-7K3QXM {day}",
        "status": "terkonfirmasi",
        "time": "09:00",
        "deadline": "20:00",
        "when": f"{day} 08:00",
        "weekday": "Jumat" if lang == "id" else "Wednesday",
        "year": 2015,
        "known": render("known", lang, details=f"Perpanjang/ganti, elektronik; Budi Santoso; {day}") + " ",
        "missing": "NIK, tanggal",
        "example": "1671014501900001, besok",
        "parts": '"asdf qwerty"',
        "details": "Paspor baru, biasa; Budi Santoso",
        "release_note": " " + render("reminder_deadline", lang, time="20:00"),
        "confirmation": " " + render("booked_remind", lang, time="09:00", deadline="20:00"),
    }


def test_languages():
    assert LANGUAGES == ("id", "en")


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_both_languages_with_the_same_placeholders(message_id):
    texts = MESSAGES[message_id]
    assert set(texts) == set(LANGUAGES)
    assert all(texts[lang].strip() for lang in LANGUAGES)
    assert placeholders(message_id, "id") == placeholders(message_id, "en")


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_gsm7_only(message_id, lang):
    text = MESSAGES[message_id][lang]
    assert not set(text) - GSM7 - GSM7_EXTENDED, set(text) - GSM7 - GSM7_EXTENDED
    # Plain format fields only: a stray brace or a format spec would break render().
    for _, name, spec, conversion in string.Formatter().parse(text):
        assert name is None or (name.isidentifier() and not spec and not conversion)


@pytest.mark.parametrize("message_id", sorted(set(MESSAGES) - LONG_MESSAGES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_prompts_fit_one_sms(message_id, lang):
    text = render(message_id, lang, **sample_params(lang))
    assert not set(text) - GSM7 - GSM7_EXTENDED
    assert gsm7_length(text) <= SEGMENT, (len(text), text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_menu_names_a_long_office(lang):
    text = render("menu", lang, office=OFFICE)
    assert OFFICE in text and gsm7_length(text) <= SEGMENT


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_said_back_are_gsm7(lang):
    day = dt.date(2026, 1, 1)
    while day.year == 2026:
        said = format_date(day, lang)
        assert not set(said) - GSM7, said
        assert len(said) <= len(LONG_DATE[lang])
        day += dt.timedelta(days=1)


def test_render_fills_in_placeholders():
    assert render("menu", "id", office="Kanim Palembang").startswith("Layanan paspor Kanim Palembang.")
    assert render("menu", "en", office="Kanim Palembang").startswith("Kanim Palembang passport service.")
    assert render("session_no_places", "en", number=2) == "Session 2 is full."


def test_render_falls_back_to_indonesian():
    assert render("ask_name", "fr") == MESSAGES["ask_name"]["id"]


def test_render_needs_every_placeholder():
    with pytest.raises(KeyError):
        render("menu", "id")


def test_placeholders():
    assert placeholders("ask_cancel", "en") == {"code", "date", "start", "end"}
    assert placeholders("ask_name", "id") == set()


# Where messages are said: the machine's replies, and what storage queues for the scheduler.
ROOT = Path(machine.__file__).parent.parent
SPEAKERS = [Path(machine.__file__)] + [
    ROOT / name
    for name in (
        "storage/reminders.py",
        "storage/holds.py",
        "storage/waitlist.py",
        "storage/desk.py",
        "storage/quota.py",
    )
]


def _ids_the_machine_uses() -> set[str]:
    source = "\n".join(path.read_text("utf-8") for path in SPEAKERS)
    used = set(re.findall(r"""(?:say|say_more|puzzled|render)\(\s*["']([a-z_0-9]+)["']""", source))
    used |= set(re.findall(r"""message_id=["']([a-z_0-9]+)["']""", source))
    for chosen in re.findall(r'say\(\s*"([a-z_]+)"\s+if\s[^"]*else\s+"([a-z_]+)"', source):
        used |= set(chosen)  # say("a" if x else "b")
    used |= set(re.findall(r"""["']((?:ask|confirm|pick)_[a-z_]+)["']""", source))
    used |= {f"nik_{p}" for p in ("length", "digits", "region", "birth_date", "serial")}
    used |= {f"name_{p}" for p in names.PROBLEMS}
    used |= {f"ask_{step}_child" for step in ("name", "nik")}
    fields = machine.COLLECTING
    used |= {f"field_{f}" for f in fields} | {f"example_{f}" for f in fields} | {"field_name_child", "field_nik_child"}
    used |= {f"service_{s}" for s in machine.SERVICE_CHOICES.values()}
    used |= {f"documents_{s}" for s in machine.SERVICE_CHOICES.values()}
    used |= {f"documents_child_{s}" for s in machine.SERVICE_CHOICES.values()}
    used |= {f"type_{t}" for t in machine.TYPE_CHOICES.values()}
    used |= {"status_booked", "status_confirmed"}
    return used


def test_every_message_the_machine_says_exists():
    missing = _ids_the_machine_uses() - set(MESSAGES)
    assert not missing


def test_every_message_is_said():
    unused = set(MESSAGES) - _ids_the_machine_uses()
    assert not unused
