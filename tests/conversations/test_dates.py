"""Tests for reading and writing the dates citizens send in a chat."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conversations.dates
from conversations.dates import format_date, parse_date

SUNDAY = date(2026, 11, 29)
WEDNESDAY = date(2026, 12, 2)
MONDAY = date(2026, 11, 30)
NEW_YEARS_EVE = date(2026, 12, 31)
END_OF_YEAR = date(2026, 12, 30)
JANUARY_31 = date(2027, 1, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relative words
        ("besok", date(2026, 11, 30)),
        ("Besok!", date(2026, 11, 30)),
        ("lusa", date(2026, 12, 1)),
        ("besok lusa", date(2026, 12, 1)),
        ("hari ini", SUNDAY),
        ("sekarang", SUNDAY),
        ("today", SUNDAY),
        ("tomorrow", date(2026, 11, 30)),
        ("day after tomorrow", date(2026, 12, 1)),
        ("the day after tomorrow", date(2026, 12, 1)),
        ("kemarin", date(2026, 11, 28)),
        ("yesterday", date(2026, 11, 28)),
        # counted days and weeks
        ("3 hari lagi", date(2026, 12, 2)),
        ("in 3 days", date(2026, 12, 2)),
        ("3 days from now", date(2026, 12, 2)),
        ("dua hari lagi", date(2026, 12, 1)),
        ("in two days", date(2026, 12, 1)),
        ("sehari lagi", date(2026, 11, 30)),
        ("seminggu lagi", date(2026, 12, 6)),
        ("2 minggu lagi", date(2026, 12, 13)),
        ("in 2 weeks", date(2026, 12, 13)),
        ("a week from today", date(2026, 12, 6)),
        ("2 hari yang lalu", date(2026, 11, 27)),
        # weekdays (today is a Sunday)
        ("Senin", date(2026, 11, 30)),
        ("senin", date(2026, 11, 30)),
        ("hari Jumat", date(2026, 12, 4)),
        ("jum'at", date(2026, 12, 4)),
        ("Jum\u2019at", date(2026, 12, 4)),
        ("Jum'at, 4 Desember 2026", date(2026, 12, 4)),
        ("Selasa ini", date(2026, 12, 1)),
        ("this Friday", date(2026, 12, 4)),
        ("on monday", date(2026, 11, 30)),
        ("Minggu", SUNDAY),
        ("hari minggu", SUNDAY),
        ("ahad", SUNDAY),
        ("sen", date(2026, 11, 30)),
        ("sel", date(2026, 12, 1)),
        ("rab", date(2026, 12, 2)),
        ("kam", date(2026, 12, 3)),
        ("jum", date(2026, 12, 4)),
        ("sab", date(2026, 12, 5)),
        ("Senin depan", date(2026, 11, 30)),
        ("next Monday", date(2026, 11, 30)),
        ("senin minggu depan", date(2026, 11, 30)),
        ("friday next week", date(2026, 12, 4)),
        ("hari minggu depan", date(2026, 12, 6)),
        ("minggu depan", date(2026, 11, 30)),
        ("pekan depan", date(2026, 11, 30)),
        ("next week", date(2026, 11, 30)),
        # day of the month
        ("tgl 5", date(2026, 12, 5)),
        ("tgl. 5", date(2026, 12, 5)),
        ("tanggal 5", date(2026, 12, 5)),
        ("the 5th", date(2026, 12, 5)),
        ("5th", date(2026, 12, 5)),
        ("on the 2nd", date(2026, 12, 2)),
        ("on the 5", date(2026, 12, 5)),
        ("tgl 29", SUNDAY),
        ("tgl 30", date(2026, 11, 30)),
        ("tgl 31", date(2026, 12, 31)),
        ("tgl 5 bulan depan", date(2026, 12, 5)),
        ("tgl 30 bulan depan", date(2026, 12, 30)),
        # numeric, day first
        ("5/12", date(2026, 12, 5)),
        ("5-12", date(2026, 12, 5)),
        ("5.12", date(2026, 12, 5)),
        ("05-12-2026", date(2026, 12, 5)),
        ("5/12/26", date(2026, 12, 5)),
        ("2026-12-05", date(2026, 12, 5)),
        ("1/1", date(2027, 1, 1)),
        ("28/11", date(2027, 11, 28)),
        ("29/11", SUNDAY),
        ("29/2", date(2028, 2, 29)),
        ("1/1/2020", date(2020, 1, 1)),
        ("28/11/2026", date(2026, 11, 28)),
        # month names
        ("5 Des", date(2026, 12, 5)),
        ("5 des.", date(2026, 12, 5)),
        ("5 Desember 2026", date(2026, 12, 5)),
        ("5 DESEMBER 2026", date(2026, 12, 5)),
        ("5 Dec", date(2026, 12, 5)),
        ("December 5", date(2026, 12, 5)),
        ("Dec 5th 2026", date(2026, 12, 5)),
        ("December 5, 2026", date(2026, 12, 5)),
        ("5th of December", date(2026, 12, 5)),
        ("des 5", date(2026, 12, 5)),
        ("5 des 26", date(2026, 12, 5)),
        ("1 November", date(2027, 11, 1)),
        ("1 November 2026", date(2026, 11, 1)),
        ("5 Jan", date(2027, 1, 5)),
        ("5 Feb", date(2027, 2, 5)),
        ("5 Pebruari", date(2027, 2, 5)),
        ("5 Mar", date(2027, 3, 5)),
        ("5 Apr", date(2027, 4, 5)),
        ("5 Mei", date(2027, 5, 5)),
        ("5 Jun", date(2027, 6, 5)),
        ("5 Jul", date(2027, 7, 5)),
        ("17 Agustus", date(2027, 8, 17)),
        ("5 Agu", date(2027, 8, 5)),
        ("5 Agt", date(2027, 8, 5)),
        ("5 Ags", date(2027, 8, 5)),
        ("5 Sep", date(2027, 9, 5)),
        ("5 Sept", date(2027, 9, 5)),
        ("5 Okt", date(2027, 10, 5)),
        ("5 Nov", date(2027, 11, 5)),
        ("5 Nop", date(2027, 11, 5)),
        # the bot's own echo, copied back
        ("Kamis, 3 Desember 2026", date(2026, 12, 3)),
        ("Thursday, 3 December 2026", date(2026, 12, 3)),
        ("senin 7 desember", date(2026, 12, 7)),
        ("senin tgl 30", date(2026, 11, 30)),
        # fillers, times and noise around a date
        ("saya mau tanggal 5 Desember ya kak", date(2026, 12, 5)),
        ("pada hari Senin", date(2026, 11, 30)),
        ("mau besok jam 9 pagi", date(2026, 11, 30)),
        ("besok pukul 09.30 WIB", date(2026, 11, 30)),
        ("5/12 jam 08:00", date(2026, 12, 5)),
        ("tomorrow please", date(2026, 11, 30)),
        ("please, tomorrow.", date(2026, 11, 30)),
        ("  Besok?? ", date(2026, 11, 30)),
        ("besok \U0001f44d", date(2026, 11, 30)),
        ("\x00besok\x07", date(2026, 11, 30)),
        ("tgl\u00a05", date(2026, 12, 5)),
        ("\uff15/\uff11\uff12", date(2026, 12, 5)),  # full-width digits
        ("400 hari lagi", date(2028, 1, 3)),
        ("kemarin lusa", date(2026, 11, 27)),
        ("the day before yesterday", date(2026, 11, 27)),
        # left to dateparser
        ("last monday", date(2026, 11, 23)),
        ("last Friday", date(2026, 11, 27)),
    ],
)
def test_reads_date_on_a_sunday(text: str, expected: date) -> None:
    assert parse_date(text, SUNDAY) == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        # a weekday name on that very weekday is today; "depan" is the following week
        (MONDAY, "Senin", MONDAY),
        (MONDAY, "Senin depan", date(2026, 12, 7)),
        (MONDAY, "next monday", date(2026, 12, 7)),
        (MONDAY, "Minggu", date(2026, 12, 6)),
        (MONDAY, "minggu depan", date(2026, 12, 7)),
        (WEDNESDAY, "Jumat", date(2026, 12, 4)),
        (WEDNESDAY, "Jumat depan", date(2026, 12, 11)),
        (WEDNESDAY, "next friday", date(2026, 12, 11)),
        (WEDNESDAY, "Senin", date(2026, 12, 7)),
        (WEDNESDAY, "Senin depan", date(2026, 12, 7)),
        (WEDNESDAY, "Selasa", date(2026, 12, 8)),
        (WEDNESDAY, "Rabu", WEDNESDAY),
        (WEDNESDAY, "rabu depan", date(2026, 12, 9)),
        (WEDNESDAY, "minggu depan", date(2026, 12, 7)),
        (WEDNESDAY, "hari minggu depan", date(2026, 12, 13)),
        (WEDNESDAY, "tgl 2", WEDNESDAY),
        (WEDNESDAY, "tgl 1", date(2027, 1, 1)),
        # the 31st of December: month and year roll over
        (NEW_YEARS_EVE, "besok", date(2027, 1, 1)),
        (NEW_YEARS_EVE, "lusa", date(2027, 1, 2)),
        (NEW_YEARS_EVE, "tgl 31", NEW_YEARS_EVE),
        (NEW_YEARS_EVE, "tgl 30", date(2027, 1, 30)),
        (NEW_YEARS_EVE, "tgl 5", date(2027, 1, 5)),
        (NEW_YEARS_EVE, "31/12", NEW_YEARS_EVE),
        (NEW_YEARS_EVE, "30/12", date(2027, 12, 30)),
        (NEW_YEARS_EVE, "5/1", date(2027, 1, 5)),
        (NEW_YEARS_EVE, "Senin", date(2027, 1, 4)),
        (NEW_YEARS_EVE, "minggu depan", date(2027, 1, 4)),
        (NEW_YEARS_EVE, "3 hari lagi", date(2027, 1, 3)),
        (NEW_YEARS_EVE, "tgl 5 bulan depan", date(2027, 1, 5)),
        (END_OF_YEAR, "tgl 30", END_OF_YEAR),
        (END_OF_YEAR, "tgl 31", NEW_YEARS_EVE),
        (END_OF_YEAR, "tgl 29", date(2027, 1, 29)),
        (END_OF_YEAR, "30 Des", END_OF_YEAR),
        (END_OF_YEAR, "29 Des", date(2027, 12, 29)),
        (END_OF_YEAR, "2 Jan", date(2027, 1, 2)),
        (END_OF_YEAR, "Rabu", END_OF_YEAR),
        (END_OF_YEAR, "Kamis", NEW_YEARS_EVE),
        (END_OF_YEAR, "Jumat depan", date(2027, 1, 8)),
        # a 31st followed by a short month: the next month that has the day
        (JANUARY_31, "tgl 31", JANUARY_31),
        (JANUARY_31, "tgl 30", date(2027, 3, 30)),
        (JANUARY_31, "tgl 29", date(2027, 3, 29)),
        (JANUARY_31, "tgl 28", date(2027, 2, 28)),
        (JANUARY_31, "tgl 5", date(2027, 2, 5)),
        (JANUARY_31, "besok", date(2027, 2, 1)),
        (date(2027, 1, 15), "tgl 5 bulan depan", date(2027, 2, 5)),
        (date(2027, 1, 15), "tgl 20 bulan ini", date(2027, 1, 20)),
        (date(2027, 1, 15), "tgl 5 bulan ini", date(2027, 1, 5)),
        (date(2027, 2, 28), "29/2", date(2028, 2, 29)),
        (date(2028, 2, 1), "29/2", date(2028, 2, 29)),
    ],
)
def test_reads_date_relative_to_other_days(today: date, text: str, expected: date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "halo",
        "Halo, selamat pagi",
        "1",
        "2",
        "3.",
        "12",
        "31",
        "2026",
        "08:00",
        "jam 8",
        "pukul 09.30",
        "08.00",
        "10.30",
        "1234567890123456",
        "1671 0145 0190 0001",
        "0812-3456-7890",
        "ya",
        "Ya.",
        "batal",
        "ok",
        "Budi Santoso",
        "min",
        "31/02",
        "31/02/2026",
        "29/02/2027",
        "32/1",
        "5/13",
        "0/5",
        "12/25",
        "tgl 0",
        "tgl 32",
        "5 12",
        "3 hari",
        "5 hari",
        "minggu ini",
        "this week",
        "bulan depan",
        "next month",
        "desember",
        "jan",
        "31 Feb",
        "tgl 31 bulan ini",
        "Rabu, 3 Desember 2026",
        "Senin, 5 Desember 2026",
        "1000 hari lagi",
        "mau tanya",
        "nik saya 1671014501900001",
        # what dateparser would misread, kept from it
        "tomorrow week",
        "3 days after today",
        "2 weeks from today and",
        "monday one",
        "yang 1 5",
        "des 1 senin",
        "yesterday tomorrow",
        "senin jumat",
        "1 senin 2",
        "last monday 2",
        "in last monday",
        "5 bulan lagi",
        "in 1 month",
        "\U0001f600",
        "\x00\x01\x02",
        "besok " + "x" * 100,
        "5/12" + " " * 100 + "x",
    ],
)
def test_refuses_what_is_not_a_date(text: str) -> None:
    assert parse_date(text, SUNDAY) is None


class _FakeDateData:
    def __init__(self, date_obj: datetime | None, period: str = "day") -> None:
        self.date_obj = date_obj
        self.period = period


class _FakeParser:
    def __init__(self, answer: _FakeDateData | Exception) -> None:
        self.answer = answer

    def get_date_data(self, text: str) -> _FakeDateData:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize(
    ("text", "answer", "expected"),
    [
        ("last monday", _FakeDateData(datetime(2026, 11, 23)), date(2026, 11, 23)),
        # a past day from words that do not speak of the past
        ("yang senin", _FakeDateData(datetime(2026, 11, 23)), None),
        # a day that is not the weekday named
        ("last monday", _FakeDateData(datetime(2026, 11, 24)), None),
        # a time, or more than a day
        ("last monday", _FakeDateData(datetime(2026, 11, 23, 8, 0)), None),
        ("last monday", _FakeDateData(datetime(2026, 11, 23), "week"), None),
        ("last monday", _FakeDateData(None), None),
        ("last monday", ValueError("boom"), None),
        ("last monday", RecursionError(), None),
    ],
)
def test_keeps_only_trusted_dateparser_answers(
    monkeypatch: pytest.MonkeyPatch, text: str, answer: object, expected: date | None
) -> None:
    monkeypatch.setattr(conversations.dates, "_dateparser_for", lambda today: _FakeParser(answer))
    assert parse_date(text, SUNDAY) == expected


def test_never_raises_when_a_rule_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise IndexError("a bug in a rule")

    monkeypatch.setattr(conversations.dates, "_match_rules", broken)
    assert parse_date("besok", SUNDAY) is None


@pytest.mark.parametrize("text", ["tgl 30 bulan depan", "tgl 31 bulan depan", "the 29th next month"])
def test_refuses_a_day_missing_from_the_month_named(text: str) -> None:
    # 15 January: next month is February 2027, which has 28 days.
    assert parse_date(text, date(2027, 1, 15)) is None


def test_refuses_a_lone_number_as_a_menu_choice_on_any_day() -> None:
    for today in (SUNDAY, WEDNESDAY, NEW_YEARS_EVE):
        assert [parse_date(str(n), today) for n in range(0, 40)] == [None] * 40


def test_accepts_text_up_to_the_length_cap() -> None:
    padded = "besok" + " " * 94 + "."
    assert len(padded) == 100
    assert parse_date(padded, SUNDAY) == date(2026, 11, 30)
    assert parse_date(padded + ".", SUNDAY) is None


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (date(2026, 12, 3), "id", "Kamis, 3 Desember 2026"),
        (date(2026, 12, 3), "en", "Thursday, 3 December 2026"),
        (date(2026, 8, 17), "id", "Senin, 17 Agustus 2026"),
        (date(2026, 8, 17), "en", "Monday, 17 August 2026"),
        (date(2027, 1, 31), "id", "Minggu, 31 Januari 2027"),
        (date(2027, 1, 31), "en", "Sunday, 31 January 2027"),
        (date(2027, 3, 5), "id", "Jumat, 5 Maret 2027"),
        (date(2027, 5, 1), "id", "Sabtu, 1 Mei 2027"),
        (date(2027, 5, 4), "id", "Selasa, 4 Mei 2027"),
        (date(2027, 5, 5), "id", "Rabu, 5 Mei 2027"),
    ],
)
def test_formats_date_in_words(day: date, lang: str, expected: str) -> None:
    assert format_date(day, lang) == expected


def test_formats_in_indonesian_for_an_unknown_language() -> None:
    assert format_date(date(2026, 12, 3), "xx") == "Kamis, 3 Desember 2026"


_DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=150), today=_DAYS)
def test_parse_date_never_raises(text: str, today: date) -> None:
    found = parse_date(text, today)
    assert found is None or isinstance(found, date)


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "besok",
                "tgl",
                "5",
                "/",
                "12",
                "depan",
                "senin",
                "minggu",
                "hari",
                "lagi",
                "the",
                "next",
                "week",
                "des",
                "2026",
                ":",
                ".",
                "-",
                "jam",
                "in",
                "days",
                "ini",
                "lalu",
                "of",
                "31",
                "02",
                "kemarin",
                "a",
                "from",
                "now",
                "\x00",
                "\U0001f44d",
            ]
        ),
        max_size=12,
    ),
    today=_DAYS,
)
def test_parse_date_never_raises_on_date_like_words(words: list[str], today: date) -> None:
    found = parse_date(" ".join(words), today)
    assert found is None or isinstance(found, date)


@settings(max_examples=200, deadline=None)
@given(day=_DAYS, lang=st.sampled_from(["id", "en"]), today=_DAYS)
def test_reads_back_its_own_echo(day: date, lang: str, today: date) -> None:
    assert parse_date(format_date(day, lang), today) == day


@settings(max_examples=200, deadline=None)
@given(day=_DAYS, today=_DAYS, separator=st.sampled_from("/-."))
def test_reads_numeric_dates_with_a_year_day_first(day: date, today: date, separator: str) -> None:
    text = f"{day.day}{separator}{day.month:02d}{separator}{day.year}"
    assert parse_date(text, today) == day


@settings(max_examples=200, deadline=None)
@given(day=_DAYS, today=_DAYS)
def test_dates_without_a_year_are_the_next_one_not_past(day: date, today: date) -> None:
    found = parse_date(f"{day.day}/{day.month}", today)
    assert found is not None
    assert (found.day, found.month) == (day.day, day.month)
    assert today <= found < today + timedelta(days=366 * 8)
    if (day.day, day.month) != (29, 2):
        assert found < today + timedelta(days=366)
