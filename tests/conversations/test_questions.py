"""Questions asked at any step: recognising them, the fees in force, and the default answers."""

from __future__ import annotations

import datetime as dt

import pytest

from conversations.channels import GSM7
from conversations.hours import DEFAULT_HOURS
from conversations.questions import (
    DEFAULT_FEES,
    DEFAULT_QUESTIONS,
    PLACEHOLDERS,
    Fee,
    Question,
    answer_text,
    check_text,
    fees_in_force,
    fees_text,
    find_question,
    keyword_score,
    map_link,
    parse_keyword,
    rupiah,
)

TODAY = dt.date(2026, 12, 1)
OFFICE = "Kantor Imigrasi Kelas I Palembang"
ADDRESS = "Jl. Parameswara No. 1, Bukit Lama, Palembang"
MAP = "https://maps.google.com/?q=Jl.+Parameswara+No.+1+Palembang"


def asked(text: str) -> str | None:
    question = find_question(text, DEFAULT_QUESTIONS)
    return question.key if question else None


# --- which question ----------------------------------------------------------------------------

QUESTIONS = [
    # The examples of the issue.
    ("saya mau tanya syarat perpanjang paspor untuk anak di bawah umur", "children"),
    ("berapa biayanya?", "fees"),
    ("biaya paspor elektronik berapa", "fees"),
    ("jam buka kantor?", "hours"),
    ("kantor buka jam berapa", "hours"),
    ("alamat kantor dimana", "address"),
    ("lokasi", "address"),
    ("bisa datang tanpa booking?", "walk_in"),
    ("boleh walk in?", "walk_in"),
    ("how much does it cost", "fees"),
    ("opening hours", "hours"),
    ("where is the office", "address"),
    # Fees.
    ("Berapa harga e-paspor 10 tahun?", "fees"),
    ("brp bayarnya?", "fees"),
    ("denda paspor hilang berapa", "fees"),
    ("what are the fees for an e-passport", "fees"),
    ("TARIF PASPOR", "fees"),
    # Hours.
    ("sabtu buka tidak?", "hours"),
    ("jam operasional hari jumat?", "hours"),
    ("Are you open on Saturday?", "hours"),
    ("what time do you open", "hours"),
    ("besok kantor buka?", "hours"),
    # Address.
    ("kantornya di mana ya", "address"),
    ("share lokasi dong", "address"),
    ("Dimanakah alamatnya?", "address"),
    ("where are you located", "address"),
    ("minta google maps nya", "address"),
    # Walk-in and the priority service.
    ("apakah lansia bisa langsung datang?", "walk_in"),
    ("Can I come without an appointment?", "walk_in"),
    ("is there a priority service for the elderly?", "walk_in"),
    ("bisa walk-in ga kak", "walk_in"),
    ("tanpa daftar online bisa?", "walk_in"),
    # Documents, the most specific first.
    ("apa saja syaratnya?", "documents"),
    ("Mohon info persyaratan pembuatan paspor", "documents"),
    ("SYARAT", "documents"),
    ("syarat paspor baru apa aja", "documents_new"),
    ("what do I need for a new passport", "documents_new"),
    ("dokumen untuk perpanjang paspor", "documents_renewal"),
    ("What documents do I need for a renewal?", "documents_renewal"),
    ("paspor saya hilang, bagaimana?", "documents_lost"),
    ("I lost my passport, what should I do?", "documents_lost"),
    ("syarat paspor rusak kena air", "documents_damaged"),
    ("paspor sobek gimana?", "documents_damaged"),
    # Children beat the generic and the service answers.
    ("syarat bikin paspor anak", "children"),
    ("syarat perpanjang paspor anak", "children"),
    ("Syarat buat anak apa?", "children"),
    ("orang tua harus ikut?", "children"),
    ("do i need to bring documents for my child", "children"),
    ("passport for a minor", "children"),
    # Processing time.
    ("berapa lama paspor jadi?", "processing"),
    ("kapan paspornya bisa diambil", "processing"),
    ("berapa hari prosesnya", "processing"),
    ("How long does it take?", "processing"),
    ("when will it be ready", "processing"),
]


@pytest.mark.parametrize("text, key", QUESTIONS, ids=[text for text, _ in QUESTIONS])
def test_a_question_is_recognised_inside_a_sentence(text: str, key: str) -> None:
    assert asked(text) == key


def test_the_table_asks_every_default_question() -> None:
    assert {key for _, key in QUESTIONS} == {q.key for q in DEFAULT_QUESTIONS}
    assert len(QUESTIONS) >= 30


PLAIN_ANSWERS = [
    "Budi Santoso",
    "Anak Agung Gede Putra",
    "Siti Nurhaliza binti Ahmad",
    "John Smith",
    "besok",
    "lusa",
    "hari ini",
    "5/12",
    "05-12-2026",
    "tgl 5",
    "5 Desember 2026",
    "Kamis 3 Desember",
    "Senin depan",
    "minggu depan",
    "tomorrow",
    "next monday",
    "YA",
    "ya benar",
    "yes",
    "fine",
    "ok",
    "tidak",
    "1",
    "2",
    "sesi 2",
    "jam 10",
    "jam 08:00",
    "sesi pagi jam 8",
    "the first one",
    "baru biasa",
    "perpanjang elektronik",
    "elektronik 10 tahun",
    "e-paspor",
    "hilang",
    "rusak",
    "paspor rusak",
    "paspor saya hilang",
    "mau perpanjang paspor",
    "I need a new passport",
    "I want to renew my passport",
    "saya mau booking untuk anak saya",
    "3201234567890123",
    "1671 0512 9000 0001",
    "PLG-7K3QXM",
    "BATAL PLG-7K3QXM",
    "BATAL",
    "MENU",
    "PESAN",
    "STOP",
    "halo selamat pagi",
    "terima kasih",
    "",
]


@pytest.mark.parametrize("text", PLAIN_ANSWERS)
def test_no_plain_booking_answer_is_taken_for_a_question(text: str) -> None:
    assert asked(text) is None
    assert len(PLAIN_ANSWERS) >= 20


@pytest.mark.parametrize(
    "text, matched",
    [
        ("harganya?", True),  # -nya is a suffix
        ("HARGA!!!", True),
        ("hargai waktu", False),  # a longer word is another word
        ("map", True),
        ("saya mapan", False),
        ("walk in", True),
        ("walking", False),
    ],
)
def test_keywords_match_whole_words_after_folding(text: str, matched: bool) -> None:
    question = Question("q", ("harga", "map", "walk in"), {"id": "x", "en": "x"})
    assert (find_question(text, [question]) is question) is matched


def test_parts_must_all_appear_in_any_order_and_score_their_words() -> None:
    assert keyword_score("syarat|dokumen + anak", "anak saya butuh dokumen apa") == 2
    assert keyword_score("syarat|dokumen + anak", "dokumen apa") == 0
    assert keyword_score("di bawah umur|umur", "anak di bawah umur") == 3  # the longest choice counts
    assert keyword_score("jam buka", "buka jam") == 0  # a phrase keeps its order


def test_the_most_specific_question_wins_and_ties_go_to_the_earlier() -> None:
    generic = Question("generic", ("syarat",), {"id": "g", "en": "g"})
    child = Question("child", ("syarat + anak",), {"id": "c", "en": "c"})
    other = Question("other", ("syarat + anak",), {"id": "o", "en": "o"})
    assert find_question("syarat untuk anak", [generic, child]) is child
    assert find_question("syarat untuk anak", [generic, child, other]) is child
    assert find_question("syarat untuk anak", [generic, other, child]) is other
    assert find_question("syarat", [generic, child]) is generic
    assert find_question("syarat", []) is None


@pytest.mark.parametrize("keyword", ["", "syarat +", "+ anak", "alamat||lokasi", "!!!", "a + |b"])
def test_an_empty_phrase_in_a_keyword_is_refused(keyword: str) -> None:
    with pytest.raises(ValueError, match="empty phrase"):
        parse_keyword(keyword)


# --- fees --------------------------------------------------------------------------------------


def test_rupiah_is_written_the_way_each_language_writes_it() -> None:
    assert rupiah(350_000, "id") == "Rp350.000"
    assert rupiah(350_000, "en") == "Rp350,000"
    assert rupiah(1_000_000, "id") == "Rp1.000.000"
    assert rupiah(0, "en") == "Rp0"


@pytest.mark.parametrize(
    "today, lang, expected",
    [
        pytest.param(dt.date(2019, 5, 31), "id", "belum ada data biaya", id="before any fee"),
        pytest.param(dt.date(2019, 6, 1), "id", "Biasa Rp350.000, Elektronik Rp650.000", id="PP 28/2019 from its day"),
        pytest.param(
            dt.date(2024, 12, 16), "en", "Ordinary Rp350,000, Electronic Rp650,000", id="the eve of PP 45/2024"
        ),
        pytest.param(
            dt.date(2024, 12, 17),
            "id",
            "Biasa 5 th Rp350.000, Biasa 10 th Rp650.000, Elektronik 5 th Rp650.000, Elektronik 10 th Rp950.000",
            id="PP 45/2024 from its day",
        ),
        pytest.param(
            TODAY,
            "en",
            "Ordinary 5 yr Rp350,000, Ordinary 10 yr Rp650,000, Electronic 5 yr Rp650,000, Electronic 10 yr Rp950,000",
            id="today, in English",
        ),
    ],
)
def test_fees_text_quotes_the_fees_in_force_by_effective_date(today: dt.date, lang: str, expected: str) -> None:
    assert fees_text(DEFAULT_FEES, lang, today) == expected


def test_a_later_fee_replaces_an_earlier_one_of_its_key_whatever_the_order() -> None:
    later = Fee("ordinary", {"id": "Biasa", "en": "Ordinary"}, 400_000, dt.date(2027, 1, 1))
    earlier = Fee("ordinary", {"id": "Biasa", "en": "Ordinary"}, 350_000, dt.date(2019, 6, 1))
    assert fees_in_force([later, earlier], dt.date(2026, 12, 31)) == (earlier,)
    assert fees_in_force([later, earlier], dt.date(2027, 1, 1)) == (later,)
    assert fees_text([later, earlier], "id", dt.date(2027, 1, 1)) == "Biasa Rp400.000"


# --- answers -----------------------------------------------------------------------------------


def render(question: Question, lang: str, *, address: str | None = ADDRESS, map_url: str | None = MAP) -> str:
    return answer_text(
        question,
        lang,
        office=OFFICE,
        address=address,
        hours=DEFAULT_HOURS,
        fees=DEFAULT_FEES,
        today=TODAY,
        map_url=map_url,
    )


def test_answers_fill_in_the_placeholders() -> None:
    by_key = {q.key: q for q in DEFAULT_QUESTIONS}
    assert render(by_key["address"], "id") == f"Alamat {OFFICE}: {ADDRESS}. Peta: {MAP}"
    assert "Senin-Kamis 08:00-16:00" in render(by_key["hours"], "id")
    assert "Ordinary 10 yr Rp650,000" in render(by_key["fees"], "en")


def test_the_map_falls_back_to_a_search_for_the_address_then_to_a_dash() -> None:
    question = Question("map", ("peta",), {"id": "{map} | {address}", "en": "{map}"})
    assert render(question, "id", map_url=None) == f"{map_link(ADDRESS)} | {ADDRESS}"
    assert map_link(ADDRESS) == "https://maps.google.com/?q=Jl.+Parameswara+No.+1%2C+Bukit+Lama%2C+Palembang"
    assert render(question, "id", map_url=None, address=None) == "- | -"


def test_an_answer_missing_in_a_language_is_given_in_indonesian() -> None:
    question = Question("q", ("x",), {"id": "Buka {hours}"})
    assert render(question, "en") == "Buka Mon-Thu 08:00-16:00, Fri 08:00-11:30 & 13:30-16:00, Sat-Sun closed"


@pytest.mark.parametrize("question", DEFAULT_QUESTIONS, ids=[q.key for q in DEFAULT_QUESTIONS])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_default_answers_are_gsm7_and_short(question: Question, lang: str) -> None:
    """GSM-7 only (no curly quotes, no emoji), one SMS of 160 where possible, two (306) at most."""
    text = render(question, lang)
    assert set(text) <= GSM7, sorted(set(text) - GSM7)
    assert "{" not in text and "}" not in text
    limit = 306 if question.key == "documents" else 160
    assert len(text) <= limit, (len(text), text)


def test_default_answers_use_known_placeholders_and_both_languages() -> None:
    for question in DEFAULT_QUESTIONS:
        assert set(question.texts) == {"id", "en"}
        for text in question.texts.values():
            check_text(text)
        for keyword in question.keywords:
            parse_keyword(keyword)
    assert len({q.key for q in DEFAULT_QUESTIONS}) == len(DEFAULT_QUESTIONS)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Buka {jam}", "unknown placeholder {jam}"),
        ("Buka {hours", "brace"),
        ("Buka }", "brace"),
    ],
)
def test_check_text_names_what_is_wrong(text: str, expected: str) -> None:
    with pytest.raises(ValueError) as error:
        check_text(text)
    assert expected in str(error.value)
    assert all(f"{{{p}}}" in str(error.value) for p in PLACEHOLDERS)
