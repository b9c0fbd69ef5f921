"""An office's desk hours: when officers serve at the counters, and when the desk opens next.

Desk hours are not the booking sessions: a session is a window citizens book places in, the
hours are when the office is open at all (what a citizen asking "jam buka?" wants to know).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the office file's day keys, Monday first
RANGE_RE = re.compile(r"((?:[01][0-9]|2[0-3]):[0-5][0-9])-((?:[01][0-9]|2[0-3]):[0-5][0-9])")
CLOSED_WORDS = ("", "closed", "tutup")
DAY_NAMES = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
CLOSED_TEXT = {"id": "tutup", "en": "closed"}
# How far ahead next_opening looks before it gives up: a year and a week.
SEARCH_DAYS = 373

TimeRange = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class OfficeHours:
    """The desk hours of each weekday, Monday first: (start, end) ranges, sorted, end excluded."""

    week: tuple[tuple[TimeRange, ...], ...]

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("OfficeHours needs the ranges of 7 weekdays, Monday first")

    def on(self, day: dt.date) -> tuple[TimeRange, ...]:
        """Return the ranges the desk is open on that date's weekday."""
        return self.week[day.weekday()]


def parse_ranges(text: str) -> tuple[TimeRange, ...]:
    """Read "08:00-11:30,13:30-16:00" (or "closed"); raise ValueError saying what is wrong."""
    if text.strip().lower() in CLOSED_WORDS:
        return ()
    ranges = []
    for part in text.split(","):
        match = RANGE_RE.fullmatch(part.strip())
        if not match:
            raise ValueError(f"{part.strip()!r} is not HH:MM-HH:MM")
        start, end = dt.time.fromisoformat(match.group(1)), dt.time.fromisoformat(match.group(2))
        if end <= start:
            raise ValueError(f"{part.strip()!r} ends before it starts")
        ranges.append((start, end))
    ranges.sort()
    for (_, earlier_end), (later_start, _) in zip(ranges, ranges[1:], strict=False):
        if later_start < earlier_end:
            raise ValueError(f"{text!r} has overlapping ranges")
    return tuple(ranges)


def parse_hours(table: Mapping[str, object]) -> OfficeHours:
    """Read {"mon": "08:00-16:00", "fri": "08:00-11:30,13:30-16:00", ...}: a day not given is closed.

    Raise ValueError naming the key for an unknown day or a badly written range.
    """
    for key in table:
        if key not in DAYS:
            raise ValueError(f"unknown key {key!r} (the days are {', '.join(DAYS)})")
    week = []
    for day in DAYS:
        value = table.get(day, "")
        if not isinstance(value, str):
            raise ValueError(f'{day} must be text such as "08:00-16:00", got {value!r}')
        try:
            week.append(parse_ranges(value))
        except ValueError as error:
            raise ValueError(f"{day}: {error}") from None
    return OfficeHours(tuple(week))


def hours_table(hours: OfficeHours) -> dict[str, str]:
    """Return the hours as the office file writes them (open days only), e.g. for storing."""
    return {
        day: ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in ranges)
        for day, ranges in zip(DAYS, hours.week, strict=True)
        if ranges
    }


# Officers' desk hours when an office file gives none: Monday to Thursday 08:00-16:00, Friday
# with its midday break (DOMAIN.md; UNCONFIRMED for Palembang, so an office file may change it).
DEFAULT_HOURS = parse_hours(
    {
        "mon": "08:00-16:00",
        "tue": "08:00-16:00",
        "wed": "08:00-16:00",
        "thu": "08:00-16:00",
        "fri": "08:00-11:30,13:30-16:00",
    }
)


def is_open(hours: OfficeHours, now_local: dt.datetime, closed: Callable[[dt.date], bool]) -> bool:
    """Tell whether the desk is open at now_local (the office's wall clock); closed(day) closes a date."""
    moment = now_local.time().replace(tzinfo=None)
    return any(start <= moment < end for start, end in hours.on(now_local.date())) and not closed(now_local.date())


def next_opening(hours: OfficeHours, now_local: dt.datetime, closed: Callable[[dt.date], bool]) -> dt.datetime | None:
    """Return now_local if the desk is open, else when it next opens (same tzinfo); None if never within a year."""
    if is_open(hours, now_local, closed):
        return now_local
    moment = now_local.time().replace(tzinfo=None)
    for offset in range(SEARCH_DAYS):
        day = now_local.date() + dt.timedelta(days=offset)
        starts = [start for start, _ in hours.on(day) if offset > 0 or start > moment]
        if starts and not closed(day):
            return dt.datetime.combine(day, starts[0], tzinfo=now_local.tzinfo)
    return None


def hours_text(hours: OfficeHours, lang: str) -> str:
    """Return the week in words, consecutive days with the same hours together.

    "Senin-Kamis 08:00-16:00, Jumat 08:00-11:30 & 13:30-16:00, Sabtu-Minggu tutup".
    """
    names = DAY_NAMES.get(lang, DAY_NAMES["id"])
    groups: list[tuple[int, int, tuple[TimeRange, ...]]] = []
    for index, ranges in enumerate(hours.week):
        if groups and groups[-1][2] == ranges:
            groups[-1] = (groups[-1][0], index, ranges)
        else:
            groups.append((index, index, ranges))
    parts = []
    for first, last, ranges in groups:
        days = names[first] if first == last else f"{names[first]}-{names[last]}"
        times = " & ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in ranges)
        parts.append(f"{days} {times or CLOSED_TEXT.get(lang, CLOSED_TEXT['id'])}")
    return ", ".join(parts)
