"""How the machine reads a citizen's words: keywords, yes and no, choices, names, language."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations import words
from conversations.words import (
    KEYWORDS,
    booking_code,
    is_no,
    is_twilio_stop_word,
    is_yes,
    keyword,
    language_of,
    normalize,
    number,
    passport_type_in,
    service_in,
    session_hint,
)

STARTS = ["08:00", "10:00", "13:00"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MENU", ("menu", "")),
        ("menu", ("menu", "")),
        ("Menu.", ("menu", "")),
        ("BATAL", ("cancel", "")),
        ("batal", ("cancel", "")),
        ("Batal!", ("cancel", "")),
        ("  batal  ", ("cancel", "")),
        ("CANCEL", ("cancel", "")),
        ("BATAL PLG-7K3QXM", ("cancel", "PLG-7K3QXM")),
        ("batal plg-7k3qxm", ("cancel", "PLG-7K3QXM")),
        ("BATAL PLG7K3QXM", ("cancel", "PLG7K3QXM")),
        ("Batal kode PLG-7K3QXM.", ("cancel", "PLG-7K3QXM")),
        ("cancel my booking PLG-7K3QXM", ("cancel", "PLG-7K3QXM")),
        ("saya mau batal", ("cancel", "")),
        ("UBAH PLG-7K3QXM", ("move", "PLG-7K3QXM")),
        ("ubah jadwal", ("move", "")),
        ("ganti jadwal saya", ("move", "")),
        ("RESCHEDULE", ("move", "")),
        ("CHANGE", ("move", "")),
        ("CEK", ("status", "")),
        ("cek booking", ("status", "")),
        ("STATUS", ("status", "")),
        ("SYARAT", ("documents", "")),
        ("DOCUMENTS", ("documents", "")),
        ("PETUGAS", ("agent", "")),
        ("AGENT", ("agent", "")),
        ("STOP", ("stop", "")),
        ("Stop.", ("stop", "")),
        ("BERHENTI", ("stop", "")),
        ("START", ("start", "")),
        ("MULAI", ("start", "")),
        ("BANTUAN", ("help", "")),
        ("HELP", ("help", "")),
        ("help?", ("help", "")),
        ("?", ("help", "")),
        ("EN", ("english", "")),
        ("english", ("english", "")),
        ("ID", ("indonesian", "")),
        ("Bahasa Indonesia", ("indonesian", "")),
        ("PESAN", ("book", "")),
        ("book", ("book", "")),
        ("booking paspor", ("book", "")),
        ("mau booking dong", ("book", "")),
        ("ＢＡＴＡＬ", ("cancel", "")),  # full-width letters from a phone keyboard
    ],
)
def test_keyword(text, expected):
    assert keyword(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Budi Santoso",
        "batal besok",
        "BATAL PLG-7K3QXM PLG-9ZZT4B",
        "mau pesan paspor baru",
        "besok sesi 2",
        "1",
        "ya",
        "stop it now",
        "cancelled",
        "YA BATAL TIDAK",
        "PLG-7K3QXM",
        "batalkan semua",
        "\U0001f600",
        "pesanan saya",
        "saya mau",
        "PLG-7K3QXM saya",
    ],
)
def test_not_a_keyword(text):
    assert keyword(text) == (None, "")


@pytest.mark.parametrize("word", sorted(KEYWORDS))
def test_every_keyword_in_any_case(word):
    assert keyword(word) == (KEYWORDS[word], "")
    assert keyword(word.lower() + ".") == (KEYWORDS[word], "")


def test_both_languages_have_every_keyword():
    commands = set(KEYWORDS.values())
    for indonesian, english in [
        ("BATAL", "CANCEL"),
        ("CEK", "STATUS"),
        ("UBAH", "CHANGE"),
        ("SYARAT", "DOCUMENTS"),
        ("PETUGAS", "AGENT"),
        ("BERHENTI", "STOP"),
        ("MULAI", "START"),
        ("BANTUAN", "HELP"),
        ("PESAN", "BOOK"),
    ]:
        assert KEYWORDS[indonesian] == KEYWORDS[english] in commands


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("PLG-7K3QXM", "PLG-7K3QXM"),
        ("plg7k3qxm", "PLG-7K3QXM"),
        ("kode saya PLG-7K3QXM ya", "PLG-7K3QXM"),
        ("JKT-ABCDEF", "JKT-ABCDEF"),
        ("PLG-7K3QX", None),  # too short
        ("PLG-7K3QXI", None),  # I is not in the code alphabet
        ("PLG-0K3QXM", None),  # nor 0
        ("", None),
    ],
)
def test_booking_code(text, code):
    assert booking_code(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "YA",
        "ya",
        "Ya!",
        "iya",
        "yes",
        "Yes please",
        "ok",
        "OKE",
        "benar",
        "ya benar",
        "Ya, betul",
        "sip",
        "y",
        "\U0001f44d",
        "\U0001f44d\U0001f3fd",
        "ya kak",
        "setuju",
        "siap",
        "ok siap",
        "Siap, terima kasih",
        "baik",
        "hadir",
        "datang",
        "ya saya datang",
        "ya, saya akan datang",
        "insyaallah datang",
        "InsyaAllah hadir",
        "pasti datang",
        "jadi",
        "oke kak, besok saya datang",
        "sure",
        "I will come",
        "yes I will come",
        "ok I will be there",
        "yup",
    ],
)
def test_yes(text):
    assert is_yes(text) and not is_no(text)


@pytest.mark.parametrize(
    "text",
    [
        "TIDAK",
        "tidak",
        "no",
        "No thanks",
        "gak",
        "gak jadi",
        "tidak jadi",
        "nggak",
        "n",
        "tdk",
        "tidak bisa datang",
        "saya tidak bisa hadir",
        "tidak bisa hadir kak",
        "ga jadi",
        "nggak bisa",
        "gak bisa datang besok",
        "can't come",
        "I can\u2019t come",
        "I cannot come",
        "no I won't come",
        "\U0001f44e",
    ],
)
def test_no(text):
    assert is_no(text) and not is_yes(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ya tidak",
        "yes no",
        "mungkin",
        "ya, tapi besok",
        "1",
        "BATAL",
        "yayaya",
        "bisa",
        "saya",
        "besok",
        "datang jam berapa?",
        "tidak tahu",
        "ya kalau sempat",
        "siap tapi telat",
    ],
)
def test_neither_yes_nor_no(text):
    assert not is_yes(text) and not is_no(text)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hello, I would like to book an appointment", "en"),
        ("I need a new passport", "en"),
        ("tomorrow please", "en"),
        ("next Monday", "en"),
        ("yes", "en"),
        ("CANCEL", "en"),
        ("Halo, saya mau bikin paspor baru", "id"),
        ("besok", "id"),
        ("Senin depan", "id"),
        ("ya", "id"),
        ("BATAL", "id"),
        ("BERHENTI", "id"),
        ("Budi Santoso", None),
        ("I Made Wirawan", None),  # a Balinese name, not English
        ("1671014501900001", None),
        ("5/12", None),
        ("STOP", None),  # the same in both
        ("MENU", None),
        ("", None),
        ("\U0001f600", None),
    ],
)
def test_language_of(text, lang):
    assert language_of(text) == lang


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("baru", "new"),
        ("paspor baru", "new"),
        ("new passport", "new"),
        ("bikin paspor", "new"),
        ("perpanjang", "renewal"),
        ("Perpanjangan paspor", "renewal"),
        ("renewal", "renewal"),
        ("paspor saya habis", "renewal"),
        ("renew", "renewal"),
        ("hilang", "lost"),
        ("paspor saya hilang", "lost"),
        ("lost", "lost"),
        ("rusak", "damaged"),
        ("sobek", "damaged"),
        ("damaged", "damaged"),
        ("baru elektronik", "new"),
        ("BARU", "new"),
        ("baru atau hilang", None),
        ("paspor", None),
        ("", None),
        ("1", None),
    ],
)
def test_service_in(text, service):
    assert service_in(text) == service


@pytest.mark.parametrize(
    ("text", "passport_type"),
    [
        ("biasa", "ordinary"),
        ("paspor biasa", "ordinary"),
        ("ordinary", "ordinary"),
        ("non elektronik", "ordinary"),
        ("non-elektronik", "ordinary"),
        ("Non Electronic", "ordinary"),
        ("elektronik", "electronic"),
        ("e-paspor", "electronic"),
        ("E-Paspor", "electronic"),
        ("epaspor", "electronic"),
        ("e paspor", "electronic"),
        ("electronic", "electronic"),
        ("e-passport", "electronic"),
        ("baru elektronik", "electronic"),
        ("biasa atau elektronik", None),
        ("paspor", None),
        ("", None),
    ],
)
def test_passport_type_in(text, passport_type):
    assert passport_type_in(text) == passport_type


@pytest.mark.parametrize(
    ("text", "highest", "choice"),
    [
        ("1", 4, 1),
        (" 2 ", 4, 2),
        ("3.", 4, 3),
        ("4)", 4, 4),
        ("5", 4, None),
        ("0", 4, None),
        ("12", 12, 12),
        ("1 2", 4, None),
        ("satu", 4, None),
        ("", 4, None),
        ("1671014501900001", 4, None),
    ],
)
def test_number(text, highest, choice):
    assert number(text, highest) == choice


@pytest.mark.parametrize(
    ("text", "session", "rest"),
    [
        ("besok sesi 2", 2, "besok"),
        ("sesi 3", 3, ""),
        ("Sesi1 Senin", 1, "Senin"),
        ("tomorrow session 3", 3, "tomorrow"),
        ("5/12 jam 10", 2, "5/12"),
        ("Kamis pukul 13.00", 3, "Kamis"),
        ("Rabu 08:00", 1, "Rabu"),
        ("jam 8", 1, ""),
        ("sesi 4", None, "sesi 4"),
        ("jam 9", None, "jam 9"),
        ("10.12", None, "10.12"),  # 10 December, not ten past ten
        ("besok", None, "besok"),
        ("sesi satu", 1, ""),
        ("Sesi dua", 2, ""),
        ("session three", 3, ""),
        ("sesi ke-2", 2, ""),
        ("no 2", 2, ""),
        ("No. 3", 3, ""),
        ("nomor 1", 1, ""),
        ("yang pertama", 1, ""),
        ("yg kedua", 2, ""),
        ("ketiga", 3, ""),
        ("yang ke-3", 3, ""),
        ("the first one", 1, ""),
        ("second", 2, ""),
        ("pagi", 1, ""),
        ("besok pagi", 1, "besok"),
        ("siang", 3, ""),
        ("sore", 3, ""),
        ("afternoon", 3, ""),
        ("Senin siang", 3, "Senin"),
        ("jam 1 siang", 3, ""),
        ("jam 1 pm", 3, ""),
        ("pukul 10 pagi", 2, ""),
        ("jam 10", 2, ""),
        ("selamat pagi", None, "selamat pagi"),
        ("pagi kak", None, "pagi kak"),
        ("no 5", None, "no 5"),
        ("kelima", None, "kelima"),
    ],
)
def test_session_hint(text, session, rest):
    assert session_hint(text, STARTS) == (session, rest)


def test_normalize():
    assert normalize("  batal\n plg-7k3qxm!! ") == "BATAL PLG-7K3QXM"
    assert normalize("") == ""


def test_twilio_stop_words():
    assert is_twilio_stop_word("stop") and is_twilio_stop_word("END")
    assert not is_twilio_stop_word("BERHENTI")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text(text):
    command, argument = keyword(text)
    assert command is None or command in set(KEYWORDS.values())
    assert not (is_yes(text) and is_no(text))
    assert language_of(text) in (None, "id", "en")
    assert service_in(text) in (None, "new", "renewal", "lost", "damaged")
    assert passport_type_in(text) in (None, "ordinary", "electronic")
    found, rest = session_hint(text, STARTS)
    assert found is None or 1 <= found <= len(STARTS)
    assert words.booking_code(text) is None or words.CODE_RE.fullmatch(words.booking_code(text))
