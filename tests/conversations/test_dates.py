"""Tests for reading and writing the dates citizens send in a chat."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conversations.dates
from conversations.dates import format_date, parse_date, weekday_conflict

SUNDAY = date(2026, 11, 29)
WEDNESDAY = date(2026, 12, 2)
MONDAY = date(2026, 11, 30)
NEW_YEARS_EVE = date(2026, 12, 31)
END_OF_YEAR = date(2026, 12, 30)
JANUARY_31 = date(2027, 1, 31)
TUESDAY = date(2026, 12, 1)  # and 8 December 2026 is a Tuesday too


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
        "des",
        "28",
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a day glued to its month, either language, either order
        ("28des", date(2026, 12, 28)),
        ("28Des", date(2026, 12, 28)),
        ("28desember", date(2026, 12, 28)),
        ("28DESEMBER 2026", date(2026, 12, 28)),
        ("28dec", date(2026, 12, 28)),
        ("28december", date(2026, 12, 28)),
        ("5jan", date(2027, 1, 5)),
        ("5januari 2027", date(2027, 1, 5)),
        ("5januari2027", date(2027, 1, 5)),
        ("28des2026", date(2026, 12, 28)),
        ("28des26", date(2026, 12, 28)),
        ("tgl28des", date(2026, 12, 28)),
        ("tgl 28des", date(2026, 12, 28)),
        ("tanggal28 desember", date(2026, 12, 28)),
        ("28-des", date(2026, 12, 28)),
        ("28.des", date(2026, 12, 28)),
        ("28/des", date(2026, 12, 28)),
        ("28-des-2026", date(2026, 12, 28)),
        ("des28", date(2026, 12, 28)),
        ("dec28", date(2026, 12, 28)),
        ("desember28", date(2026, 12, 28)),
        ("dec28th", date(2026, 12, 28)),
        ("28thdec", date(2026, 12, 28)),
        ("5mei", date(2027, 5, 5)),
        ("17agustus", date(2027, 8, 17)),
        ("17agt", date(2027, 8, 17)),
        ("5mrt", date(2027, 3, 5)),
        ("5 Mrt", date(2027, 3, 5)),
        ("5 Agst", date(2027, 8, 5)),
        ("5nop", date(2027, 11, 5)),
        ("5okt", date(2027, 10, 5)),
        ("saya mau 28des ya kak", date(2026, 12, 28)),
        ("28des jam 9", date(2026, 12, 28)),
        ("28des jam9", date(2026, 12, 28)),
        ("tgl 5 jam8", date(2026, 12, 5)),
        ("senin7des", date(2026, 12, 7)),
        ("jumat4/12", date(2026, 12, 4)),
        # counted days and weeks, more ways
        ("dalam 3 hari", date(2026, 12, 4)),
        ("dlm 3 hari", date(2026, 12, 4)),
        ("dalam tiga hari", date(2026, 12, 4)),
        ("dalam 2 minggu", date(2026, 12, 15)),
        ("dalam seminggu", date(2026, 12, 8)),
        ("dalam 3 hari lagi", date(2026, 12, 4)),
        ("2 hari yang akan datang", date(2026, 12, 3)),
        ("dua hari yang akan datang", date(2026, 12, 3)),
        ("2 hari yg akan datang", date(2026, 12, 3)),
        ("2 minggu yang akan datang", date(2026, 12, 15)),
        ("seminggu yang akan datang", date(2026, 12, 8)),
        ("3 hari akan datang", date(2026, 12, 4)),
        ("3 hari mendatang", date(2026, 12, 4)),
        ("3 hari y.a.d.", date(2026, 12, 4)),
        ("3 hari ke depan", date(2026, 12, 4)),
        ("3 hari kedepan", date(2026, 12, 4)),
        ("3 hari ke dpn", date(2026, 12, 4)),
        ("seminggu ke depan", date(2026, 12, 8)),
        ("seminggu lagi", date(2026, 12, 8)),
        ("seminggu lg", date(2026, 12, 8)),
        ("3 hari lg", date(2026, 12, 4)),
        ("3 hr lagi", date(2026, 12, 4)),
        ("3hari lagi", date(2026, 12, 4)),
        ("dua belas hari lagi", date(2026, 12, 13)),
        ("tiga puluh hari lagi", date(2026, 12, 31)),
        ("in twelve days", date(2026, 12, 13)),
        ("2 hari yg lalu", date(2026, 11, 29)),
        ("hr ini", TUESDAY),
        ("minggu yang akan datang", date(2026, 12, 7)),
        ("minggu mendatang", date(2026, 12, 7)),
        ("pekan yang akan datang", date(2026, 12, 7)),
        ("minggu dpn", date(2026, 12, 7)),
        # "mgg", "mg", "mingg": a week, never Sunday
        ("mgg depan", date(2026, 12, 7)),
        ("mg depan", date(2026, 12, 7)),
        ("mingg depan", date(2026, 12, 7)),
        ("mgg dpn", date(2026, 12, 7)),
        ("2 mgg lagi", date(2026, 12, 15)),
        ("2 mg lagi", date(2026, 12, 15)),
        ("2mgg lagi", date(2026, 12, 15)),
        ("dalam 2 mgg", date(2026, 12, 15)),
        ("2 mgg yang akan datang", date(2026, 12, 15)),
        ("semgg lagi", date(2026, 12, 8)),
        ("2 mgg yang lalu", date(2026, 11, 17)),
        ("senin mgg depan", date(2026, 12, 7)),
        ("selasa mgg depan", date(2026, 12, 8)),
        ("jumat mgg depan", date(2026, 12, 11)),
        ("Minggu", date(2026, 12, 6)),
        ("hari minggu", date(2026, 12, 6)),
        ("minggu depan", date(2026, 12, 7)),
        ("hari minggu depan", date(2026, 12, 13)),
        # Friday, however it is spelt
        ("Jum'at", date(2026, 12, 4)),
        ("Jum\u2019at", date(2026, 12, 4)),
        ("Jum\u02bcat", date(2026, 12, 4)),
        ("Jum\u2018at", date(2026, 12, 4)),
        ("Jum`at", date(2026, 12, 4)),
        ("Jum\u00b4at", date(2026, 12, 4)),
        ("jumaat", date(2026, 12, 4)),
        ("JUMAAT", date(2026, 12, 4)),
        ("jum at", date(2026, 12, 4)),
        ("hari Jum'at", date(2026, 12, 4)),
        ("Jum'at ini", date(2026, 12, 4)),
        ("jum at ini", date(2026, 12, 4)),
        ("Jum'at depan", date(2026, 12, 11)),
        ("Jum\u2019at depan", date(2026, 12, 11)),
        ("Jum\u02bcat depan", date(2026, 12, 11)),
        ("jum at depan", date(2026, 12, 11)),
        ("jumaat depan", date(2026, 12, 11)),
        ("Jum'at minggu depan", date(2026, 12, 11)),
        ("Jum\u02bcat mgg depan", date(2026, 12, 11)),
        ("Jum'at 4/12", date(2026, 12, 4)),
        ("Jum\u2019at 4/12", date(2026, 12, 4)),
        ("Jum\u02bcat 4/12", date(2026, 12, 4)),
        ("jum at 4/12", date(2026, 12, 4)),
        ("jumaat 4 Des", date(2026, 12, 4)),
        ("Jum'at, 4 Desember 2026", date(2026, 12, 4)),
        ("Jum\u2019at tgl 4", date(2026, 12, 4)),
        ("Jum'at jam 8", date(2026, 12, 4)),
        # a weekday that agrees with its date, before or after it
        ("Selasa 8/12", date(2026, 12, 8)),
        ("selasa, 8 Desember", date(2026, 12, 8)),
        ("Tuesday 8 Dec 2026", date(2026, 12, 8)),
        ("Selasa tgl 8", date(2026, 12, 8)),
        ("Selasa 8des", date(2026, 12, 8)),
        ("8/12 Selasa", date(2026, 12, 8)),
        ("8 Des (Selasa)", date(2026, 12, 8)),
        ("8 Des hari Selasa", date(2026, 12, 8)),
        ("tgl 8 hari selasa", date(2026, 12, 8)),
        ("8 Dec 2026, Tuesday", date(2026, 12, 8)),
        ("minggu 6/12", date(2026, 12, 6)),
        ("tgl 6 minggu", date(2026, 12, 6)),
    ],
)
def test_reads_date_on_a_tuesday(text: str, expected: date) -> None:
    assert parse_date(text, TUESDAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        # durations and lone words, glued or not
        "3 hari",
        "3hari",
        "dua hari",
        "2 mgg",
        "2 mg",
        "tgl 3 hari",
        "dalam",
        "dalam hari",
        "y.a.d.",
        "28",
        "8",
        "12",
        "des",
        "desember",
        "28desa",
        "kades28",
        "des2026",
        "28des5",
        "jam8",
        # "mgg" is a week, not Sunday; "mgg ini" is a week, not a day
        "mgg",
        "mg",
        "hari mgg",
        "mgg ini",
        "mg ini",
        "pekan ini",
        "senin mgg ini",
        # "in 2 hr" is hours
        "in 2 hr",
        # a weekday that disagrees with its date (8 December 2026 is a Tuesday)
        "Senin 8/12",
        "senin, 8 Desember",
        "Monday 8 Dec 2026",
        "Kamis tgl 8",
        "8/12 Senin",
        "tgl 8 hari senin",
        "Senin 8des",
        "Jum'at 5/12",
        "Jum\u02bcat 5/12",
        "tgl 8 minggu",
        # a bare number before a weekday is not a day of the month
        "8 selasa",
        "2 senin",
    ],
)
def test_refuses_on_a_tuesday(text: str) -> None:
    assert parse_date(text, TUESDAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Senin 8/12", (0, date(2026, 12, 8))),
        ("senin, 8 Desember", (0, date(2026, 12, 8))),
        ("Monday 8 Dec 2026", (0, date(2026, 12, 8))),
        ("Kamis tgl 8", (3, date(2026, 12, 8))),
        ("senin 8", (0, date(2026, 12, 8))),
        ("Senin 8des", (0, date(2026, 12, 8))),
        ("senin tgl8des", (0, date(2026, 12, 8))),
        ("Senin 08-12-2026", (0, date(2026, 12, 8))),
        ("Senin 2026-12-08", (0, date(2026, 12, 8))),
        ("Monday, December 8th", (0, date(2026, 12, 8))),
        ("8/12 Senin", (0, date(2026, 12, 8))),
        ("8 Des (Senin)", (0, date(2026, 12, 8))),
        ("tgl 8 hari senin", (0, date(2026, 12, 8))),
        ("saya mau hari Senin tanggal 8 Desember jam 9 ya kak", (0, date(2026, 12, 8))),
        ("Jum'at 8/12", (4, date(2026, 12, 8))),
        ("Jum\u02bcat 8/12", (4, date(2026, 12, 8))),
        ("jumaat 8 des", (4, date(2026, 12, 8))),
        ("Sunday 8/12/2026", (6, date(2026, 12, 8))),
        ("hari minggu tgl 8", (6, date(2026, 12, 8))),
        ("tgl 8 minggu", (6, date(2026, 12, 8))),
        ("sab 8/12", (5, date(2026, 12, 8))),
        # a date with a year, even past, is the date written
        ("Kamis, 3 Desember 2027", (3, date(2027, 12, 3))),
        ("Senin 1/1/2020", (0, date(2020, 1, 1))),
        # no conflict
        ("Selasa 8/12", None),
        ("Rabu 1/1/2020", None),
        ("Jum'at 4/12", None),
        ("8/12", None),
        ("8 Desember", None),
        ("Senin", None),
        ("Senin depan", None),
        ("senin mgg depan", None),
        ("minggu depan", None),
        ("besok", None),
        ("3 hari", None),
        ("2 minggu", None),
        # not a date at all, or an impossible one
        ("", None),
        ("halo", None),
        ("8", None),
        ("8 senin", None),
        ("Senin 31/2", None),
        ("Senin 32/12", None),
        ("senin 3 hari lagi", None),
        ("Senin 8/12" + " " * 100 + "x", None),
    ],
)
def test_weekday_conflict(text: str, expected: tuple[int, date] | None) -> None:
    assert weekday_conflict(text, TUESDAY) == expected


def test_weekday_conflict_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise IndexError("a bug in a rule")

    assert weekday_conflict(None, TUESDAY) is None  # type: ignore[arg-type]
    monkeypatch.setattr(conversations.dates, "_match_rules", broken)
    assert weekday_conflict("Senin 8/12", TUESDAY) is None


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
                "28des",
                "des28",
                "tgl28",
                "mgg",
                "dalam",
                "yang",
                "akan",
                "datang",
                "jum'at",
                "jum",
                "at",
                "y.a.d.",
                "selasa",
                "8/12",
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


_WEEKDAY_NAMES = [
    ["Senin", "senin", "Monday", "sen"],
    ["Selasa", "Tuesday", "sel"],
    ["Rabu", "Wednesday", "rab"],
    ["Kamis", "Thursday", "kam"],
    ["Jumat", "Jum'at", "Jum\u2019at", "Jum\u02bcat", "jumaat", "jum at", "Friday"],
    ["Sabtu", "Saturday", "sab"],
    ["Minggu", "hari Minggu", "Ahad", "Sunday"],
]


@settings(max_examples=200, deadline=None)
@given(
    day=_DAYS,
    today=_DAYS,
    weekday=st.integers(min_value=0, max_value=6),
    data=st.data(),
    weekday_first=st.booleans(),
)
def test_a_weekday_with_a_date_agrees_or_conflicts(
    day: date, today: date, weekday: int, data: st.DataObject, weekday_first: bool
) -> None:
    name = data.draw(st.sampled_from(_WEEKDAY_NAMES[weekday]))
    written = f"{day.day}/{day.month}/{day.year}"
    text = f"{name}, {written}" if weekday_first else f"{written} {name}"
    if weekday == day.weekday():
        assert parse_date(text, today) == day
        assert weekday_conflict(text, today) is None
    else:
        assert parse_date(text, today) is None
        assert weekday_conflict(text, today) == (weekday, day)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=150), today=_DAYS)
def test_weekday_conflict_is_only_for_a_refused_text(text: str, today: date) -> None:
    found = weekday_conflict(text, today)
    if found is not None:
        weekday, day = found
        assert day.weekday() != weekday
        assert parse_date(text, today) is None


_MONTH_WORDS = sorted(conversations.dates._MONTHS.items())


@settings(max_examples=300, deadline=None)
@given(day=_DAYS, today=_DAYS, data=st.data())
def test_reads_a_month_glued_to_its_day_as_if_spaced(day: date, today: date, data: st.DataObject) -> None:
    word = data.draw(st.sampled_from([w for w, month in _MONTH_WORDS if month == day.month]))
    word = data.draw(st.sampled_from([word, word.title(), word.upper()]))
    assert parse_date(f"{day.day}{word}{day.year}", today) == day
    assert parse_date(f"{day.day}{word} {day.year}", today) == day
    assert parse_date(f"tgl{day.day}{word}{day.year}", today) == day
    assert parse_date(f"{word}{day.day} {day.year}", today) == day
    assert parse_date(f"{day.day}{word}", today) == parse_date(f"{day.day} {word}", today)
    assert parse_date(f"{word}{day.day}", today) == parse_date(f"{word} {day.day}", today)
