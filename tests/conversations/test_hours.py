"""Desk hours: reading them, telling whether the desk is open, and when it opens next."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from conversations.hours import (
    DEFAULT_HOURS,
    OfficeHours,
    hours_table,
    hours_text,
    is_open,
    next_opening,
    parse_hours,
)

WIB = ZoneInfo("Asia/Jakarta")
CHRISTMAS = dt.date(2026, 12, 25)  # a Friday


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Return December 2026 at the office: 1 is a Tuesday, 4 a Friday, 5 a Saturday, 7 a Monday."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=WIB)


def never_closed(day: dt.date) -> bool:
    return False


def holidays(*days: dt.date):
    return lambda day: day in days


# --- reading -----------------------------------------------------------------------------------


def test_the_default_hours_are_monday_to_thursday_all_day_and_friday_with_a_break() -> None:
    assert hours_table(DEFAULT_HOURS) == {
        "mon": "08:00-16:00",
        "tue": "08:00-16:00",
        "wed": "08:00-16:00",
        "thu": "08:00-16:00",
        "fri": "08:00-11:30,13:30-16:00",
    }
    assert DEFAULT_HOURS.on(dt.date(2026, 12, 5)) == ()  # Saturday


def test_parse_sorts_ranges_and_reads_closed_days() -> None:
    hours = parse_hours({"mon": "13:00-15:00, 08:00-12:00", "tue": "closed", "sat": "tutup", "wed": ""})
    assert hours.week[0] == ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(15)))
    assert hours.week[1:] == ((),) * 6
    assert parse_hours(hours_table(hours)) == hours


@pytest.mark.parametrize(
    "table, expected",
    [
        pytest.param({"monday": "08:00-16:00"}, "unknown key 'monday'", id="unknown day"),
        pytest.param({"mon": "8:00-16:00"}, "mon: '8:00-16:00' is not HH:MM-HH:MM", id="hour without its zero"),
        pytest.param({"mon": "08:00"}, "mon: '08:00' is not", id="no end"),
        pytest.param({"fri": "16:00-08:00"}, "fri: '16:00-08:00' ends before it starts", id="backwards"),
        pytest.param(
            {"fri": "08:00-12:00,11:00-16:00"}, "fri: '08:00-12:00,11:00-16:00' has overlapping", id="overlap"
        ),
        pytest.param({"mon": 8}, "mon must be text", id="not text"),
        pytest.param({"mon": "08:00-24:00"}, "mon:", id="24:00"),
    ],
)
def test_bad_hours_say_which_day_and_why(table: dict[str, object], expected: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_hours(table)
    assert expected in str(error.value)


def test_office_hours_need_seven_days() -> None:
    with pytest.raises(ValueError):
        OfficeHours(((),) * 5)


# --- open or not -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now, open_",
    [
        pytest.param(at(1, 9), True, id="Tuesday morning"),
        pytest.param(at(1, 8), True, id="Tuesday at opening"),
        pytest.param(at(1, 7, 59), False, id="Tuesday before 08:00"),
        pytest.param(at(1, 15, 59), True, id="Tuesday 15:59"),
        pytest.param(at(1, 16), False, id="Tuesday at 16:00: closed"),
        pytest.param(at(1, 20), False, id="Tuesday evening"),
        pytest.param(at(4, 11, 29), True, id="Friday before the break"),
        pytest.param(at(4, 12), False, id="Friday break"),
        pytest.param(at(4, 13, 30), True, id="Friday after the break"),
        pytest.param(at(5, 10), False, id="Saturday"),
        pytest.param(at(6, 10), False, id="Sunday"),
    ],
)
def test_is_open(now: dt.datetime, open_: bool) -> None:
    assert is_open(DEFAULT_HOURS, now, never_closed) is open_


def test_a_holiday_closes_the_desk_all_day() -> None:
    assert not is_open(DEFAULT_HOURS, at(25, 9), holidays(CHRISTMAS))
    assert is_open(DEFAULT_HOURS, at(24, 9), holidays(CHRISTMAS))


@pytest.mark.parametrize(
    "now, closed, expected",
    [
        pytest.param(at(1, 9), never_closed, at(1, 9), id="open now: now"),
        pytest.param(at(1, 6), never_closed, at(1, 8), id="early morning: today at 08:00"),
        pytest.param(at(1, 16), never_closed, at(2, 8), id="after 16:00: tomorrow"),
        pytest.param(at(3, 17), never_closed, at(4, 8), id="Thursday evening: Friday"),
        pytest.param(at(4, 12), never_closed, at(4, 13, 30), id="Friday break: 13:30"),
        pytest.param(at(4, 16), never_closed, at(7, 8), id="Friday after 16:00: Monday"),
        pytest.param(at(5, 10), never_closed, at(7, 8), id="Saturday: Monday"),
        pytest.param(at(6, 23, 59), never_closed, at(7, 8), id="Sunday night: Monday"),
        pytest.param(at(7, 6), holidays(dt.date(2026, 12, 7)), at(8, 8), id="a holiday Monday: Tuesday"),
        pytest.param(
            at(24, 17), holidays(CHRISTMAS), dt.datetime(2026, 12, 28, 8, tzinfo=WIB), id="Christmas Friday: Monday"
        ),
        pytest.param(at(4, 12), holidays(dt.date(2026, 12, 4)), at(7, 8), id="break on a closed Friday: Monday"),
    ],
)
def test_next_opening(now: dt.datetime, closed, expected: dt.datetime) -> None:
    opening = next_opening(DEFAULT_HOURS, now, closed)
    assert opening == expected
    assert opening is not None and opening.tzinfo is WIB


def test_next_opening_is_none_when_the_desk_never_opens() -> None:
    assert next_opening(DEFAULT_HOURS, at(1, 9), lambda day: True) is None
    assert next_opening(parse_hours({}), at(1, 9), never_closed) is None


def test_next_opening_finds_a_saturday_clinic_only_desk() -> None:
    saturdays = parse_hours({"sat": "09:00-12:00"})
    assert next_opening(saturdays, at(1, 9), never_closed) == at(5, 9)


# --- in words ----------------------------------------------------------------------------------


def test_hours_in_words_group_days_with_the_same_hours() -> None:
    assert hours_text(DEFAULT_HOURS, "id") == (
        "Senin-Kamis 08:00-16:00, Jumat 08:00-11:30 & 13:30-16:00, Sabtu-Minggu tutup"
    )
    assert hours_text(DEFAULT_HOURS, "en") == "Mon-Thu 08:00-16:00, Fri 08:00-11:30 & 13:30-16:00, Sat-Sun closed"


def test_hours_in_words_with_a_saturday_and_every_day_closed() -> None:
    hours = parse_hours({"mon": "08:00-15:00", "wed": "08:00-15:00", "sat": "08:00-12:00"})
    assert hours_text(hours, "en") == (
        "Mon 08:00-15:00, Tue closed, Wed 08:00-15:00, Thu-Fri closed, Sat 08:00-12:00, Sun closed"
    )
    assert hours_text(parse_hours({}), "id") == "Senin-Minggu tutup"
