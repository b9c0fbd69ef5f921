"""Read the dates citizens write in a chat, in Bahasa Indonesia or English, and say them back.

Everything here is pure: the caller always passes `today` (the office's local date), so the
same text read on the same day always gives the same answer.

How a text is read (documented here because a citizen's booking depends on it):

* "hari ini"/"today"/"sekarang", "besok"/"tomorrow", "lusa"/"day after tomorrow",
  "kemarin"/"yesterday", "kemarin lusa"/"day before yesterday" are today, +1, +2, -1 and -2.
* "3 hari lagi", "in 3 days", "3 days from now", "seminggu lagi", "in 2 weeks", "dalam 3 hari",
  "3 hari ke depan"/"kedepan", "2 minggu yang akan datang" (also "akan datang", "mendatang",
  "y.a.d.") count days (or weeks of 7 days) from today; "3 hari yang lalu"/"3 days ago" count
  back. The count may be a number word up to twenty, or thirty ("tiga", "dua belas", "twelve").
  A bare "3 hari" is refused: it is a duration, not a date.
* Chat spellings: "mgg", "mg", "mingg" are a week (as "pekan"), never Sunday, so "mgg depan",
  "2 mgg lagi", "Senin mgg depan" read but a bare "mgg" is refused; "hr" is "hari" (but "in 2
  hr" is hours, refused), "dpn" "depan", "lg" "lagi", "yg" "yang", "dlm" "dalam".
* A weekday name ("Senin", "Monday", "Sen", "hari Jumat", "this Friday", "Selasa ini") is the
  nearest such day that is today or later, so "Senin" written on a Monday is that Monday.
  Friday is also "Jum'at" with any apostrophe (' ’ ʼ ‘ ` ´), "jum at" and "jumaat".
* "Senin depan", "next Monday", "Senin minggu depan", "Monday next week" are that weekday in
  the following calendar week (weeks start on Monday).
* "minggu depan", "pekan depan", "minggu yang akan datang", "minggu mendatang", "next week" are
  the Monday of the following calendar week; "hari Minggu depan" is the Sunday of the following
  calendar week. A bare "Minggu" is Sunday, but "minggu ini"/"mgg ini"/"this week" is refused
  (a week, not a day).
* "tgl 5", "tanggal 5", "the 5th", "5th" are day 5 of this month if that is not past, else of
  the next month that has such a day ("tgl 31" on 29 November is 31 December). A bare number
  ("1", "2", "12") is refused: in a chat it is a menu choice, not a date. "tgl 5 bulan depan" /
  "the 5th next month" is day 5 of next month and "tgl 5 bulan ini" of this month, even if
  past; a day that month lacks is refused.
* Numeric dates are day-first: "5/12", "5-12", "5.12", "05-12-2026", "5/12/26"; "2026-12-05"
  (year first) is also read. Month names in both languages, with Indonesian abbreviations
  (Jan Feb Mar/Mrt Apr Mei Jun Jul Agu/Agt/Ags/Agst Sep/Sept Okt Nov/Nop Des): "5 Des", "5
  Desember 2026", "December 5", "Dec 5th 2026", "28-des", "28.des". A month, day marker,
  weekday or unit glued to digits reads as if spaced: "28des", "5januari 2027", "28dec",
  "tgl28des", "des28", "dec28th", "28des2026", "3hari lagi", "jam8". A date without a year
  is this year's, or next year's if this year's has passed ("29/2" is the next 29 February);
  impossible dates ("31/02", "32/1") are refused. A two-digit year is 20YY. A date with a year
  is returned as written, even if it is past: the caller refuses it with a reason, which helps
  more than a silent guess.
* A weekday written with a date, before it ("Kamis, 3 Desember 2026", as the bot echoes it;
  "Kamis tgl 3", "Senin 7", where a bare number is a day of the month) or after it ("3/12
  Kamis", "tgl 3 hari Kamis"; a bare number there is not a date: "2 Senin"), must agree with
  the date, otherwise the text is refused and `weekday_conflict` gives the weekday and date
  written, for the bot to say why ("8 Desember is a Tuesday"). "tgl 6 Minggu" is a Sunday the
  6th, not six weeks.
* Three-letter Indonesian weekday abbreviations are read (Sen Sel Rab Kam Jum Sab) except
  "Min", which in a chat usually addresses the admin ("min, mau tanya").
* Times of day ("jam 8", "pukul 09.30", "08:00", "pagi") are ignored; a text that is only a
  time is refused. Fillers ("tanggal", "tgl.", "pada", "on", "the", "please", "saya mau", ...)
  and trailing punctuation or emoji are ignored.
* Only a weekday with words like "last"/"lalu" that the rules above do not read goes to
  `dateparser` ("last Monday"); its answer is kept only when it is a whole day on that weekday,
  and not past unless the words speak of the past. dateparser misreads the wider forms this
  module handles itself ("tanggal 5" is a past 5th, "32/1" is 2032, "jam 8" is the 8th, a NIK
  is a timestamp, "tomorrow week" is tomorrow, "monday one" is 1 November), so it is not asked.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
import unicodedata

from babel.dates import format_date as babel_format_date
from babel.dates import get_day_names
from dateparser.date import DateDataParser

MAX_TEXT_LENGTH = 100

_MONTHS: dict[str, int] = {
    "januari": 1,
    "january": 1,
    "jan": 1,
    "februari": 2,
    "pebruari": 2,
    "february": 2,
    "feb": 2,
    "peb": 2,
    "maret": 3,
    "march": 3,
    "mar": 3,
    "mrt": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "agustus": 8,
    "august": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agust": 8,
    "agst": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "december": 12,
    "des": 12,
    "dec": 12,
}

# Monday is 0, as in datetime.date.weekday().
_WEEKDAYS: dict[str, int] = {
    "senin": 0,
    "sen": 0,
    "monday": 0,
    "mon": 0,
    "selasa": 1,
    "sel": 1,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "rabu": 2,
    "rab": 2,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "kamis": 3,
    "kam": 3,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "jumat": 4,
    "jumaat": 4,
    "jum": 4,
    "friday": 4,
    "fri": 4,
    "sabtu": 5,
    "sab": 5,
    "saturday": 5,
    "sat": 5,
    "minggu": 6,
    "ahad": 6,
    "sunday": 6,
    "sun": 6,
}

_NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "satu": 1,
    "two": 2,
    "dua": 2,
    "three": 3,
    "tiga": 3,
    "four": 4,
    "empat": 4,
    "five": 5,
    "lima": 5,
    "six": 6,
    "enam": 6,
    "seven": 7,
    "tujuh": 7,
    "eight": 8,
    "delapan": 8,
    "nine": 9,
    "sembilan": 9,
    "ten": 10,
    "sepuluh": 10,
    "eleven": 11,
    "sebelas": 11,
    "twelve": 12,
    "dua belas": 12,
    "thirteen": 13,
    "tiga belas": 13,
    "fourteen": 14,
    "empat belas": 14,
    "fifteen": 15,
    "lima belas": 15,
    "sixteen": 16,
    "enam belas": 16,
    "seventeen": 17,
    "tujuh belas": 17,
    "eighteen": 18,
    "delapan belas": 18,
    "nineteen": 19,
    "sembilan belas": 19,
    "twenty": 20,
    "dua puluh": 20,
    "thirty": 30,
    "tiga puluh": 30,
}

# Chat spellings read as the word after them. "mgg"/"mg"/"mingg" are a week and never Sunday,
# so they become "pekan" (which only means week); "hr" after "in N" is an English hour, kept.
_ABBREVIATIONS: dict[str, str] = {
    "mgg": "pekan",
    "mg": "pekan",
    "mingg": "pekan",
    "mggu": "pekan",
    "semgg": "sepekan",
    "hr": "hari",
    "dpn": "depan",
    "kedpn": "kedepan",
    "lg": "lagi",
    "lgi": "lagi",
    "yg": "yang",
    "dlm": "dalam",
}

# Words that carry no date: dropped wherever they stand.
_FILLERS = frozenset(
    [
        "pada",
        "on",
        "the",
        "please",
        "pls",
        "plz",
        "mau",
        "saya",
        "sy",
        "aku",
        "ingin",
        "pengen",
        "pingin",
        "bisa",
        "boleh",
        "tolong",
        "kak",
        "kakak",
        "pak",
        "bu",
        "bapak",
        "ibu",
        "min",
        "admin",
        "ya",
        "yah",
        "yak",
        "iya",
        "dong",
        "deh",
        "aja",
        "saja",
        "sj",
        "of",
        "at",
        "for",
        "i",
        "want",
        "would",
        "like",
        "to",
        "book",
        "booking",
        "untuk",
        "utk",
        "di",
        "nanti",
        "ok",
        "oke",
        "okay",
        "okey",
        "sir",
        "jadwal",
        "antrian",
        "tanggalnya",
        "ajah",
        "gan",
        "sis",
        "mas",
        "mbak",
        "dik",
        "bang",
        "hi",
        "hai",
        "halo",
        "hello",
        "thanks",
        "thank",
        "terima",
        "kasih",
        "makasih",
        "trims",
        "tq",
        "ty",
        "jam",
        "pukul",
        "pkl",
        "pagi",
        "siang",
        "sore",
        "malam",
        "morning",
        "afternoon",
        "evening",
        "wib",
        "wita",
        "wit",
        "am",
        "pm",
    ]
)

# Words that say "day of the month" about the number after them.
_DAY_MARKERS = frozenset({"tanggal", "tgl", "tg", "date", "tangal"})

_PAST_WORDS = frozenset({"kemarin", "kemaren", "yesterday", "lalu", "ago", "last", "kmrn"})

_WD = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUM = r"\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)"

# Words that may be glued to the digits of a date ("28des", "des28", "tgl28", "3hari", "jam8").
_GLUE = "|".join(
    sorted(
        {*_MONTHS, *_WEEKDAYS, *_DAY_MARKERS, "jam", "pukul", "pkl"}
        | {"hari", "hr", "minggu", "mgg", "mg", "mingg", "mggu", "pekan", "day", "days", "week", "weeks"},
        key=len,
        reverse=True,
    )
)
_GLUED_BEFORE_DIGITS = re.compile(rf"(?<![a-z])({_GLUE})(?=\d)")
_GLUED_AFTER_DIGITS = re.compile(rf"(?<=\d)((?:st|nd|rd|th)?)({_GLUE})(?![a-z])")

_TIME_OF_DAY = re.compile(
    r"\b(?:jam|pukul|pkl|at)\s+\d{1,2}(?:[:.]\d{2})?(?:\s*(?:am|pm))?\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:am|pm))?\b"
    r"|\b\d{1,2}\s*(?:am|pm)\b"
)

_TODAY = re.compile(r"(?:hari ini|today|sekarang|now|skrg|skrng)")
_TOMORROW = re.compile(r"(?:besok|besoknya|esok|tomorrow|tmrw|tmr|bsk)")
_DAY_AFTER_TOMORROW = re.compile(r"(?:lusa|besok lusa|day after tomorrow)")
_YESTERDAY = re.compile(r"(?:kemarin|kemaren|kmrn|yesterday)")
_DAY_BEFORE_YESTERDAY = re.compile(r"(?:kemarin lusa|day before yesterday)")
_NEXT = r"(?:depan|berikutnya|mendatang|yang akan datang)"
_NEXT_WEEK = re.compile(rf"(?:(?:minggu|pekan) {_NEXT}|next week)")
_THIS_WEEK = re.compile(r"(?:minggu|pekan) ini|this week")
_COUNT_FORWARD = re.compile(
    rf"(?:(?P<in>in|dalam) )?"
    rf"(?:(?P<n>{_NUM}) (?P<unit>hari|days?|minggu|pekan|weeks?)|se(?P<unit1>hari|minggu|pekan))"
    r"(?: (?P<after>lagi|later|from now|from today|dari sekarang|dari hari ini|ke ?depan"
    r"|(?:yang )?akan datang|mendatang))?"
)
_COUNT_BACK = re.compile(
    rf"(?:(?P<n>{_NUM}) (?P<unit>hari|days?|minggu|pekan|weeks?)|se(?P<unit1>hari|minggu|pekan))"
    r" (?:yang lalu|lalu|ago)"
)
_WEEKDAY = re.compile(rf"(?:(?:hari|this|coming) )?(?P<wd>{_WD})(?: ini)?")
_WEEKDAY_NEXT = re.compile(
    rf"(?:hari )?(?P<wd>{_WD}) (?:depan|(?:minggu|pekan) {_NEXT}|next week)"
    rf"|next (?P<wd2>{_WD})"
)
_WEEKDAY_WITH_DATE = re.compile(rf"(?:hari )?(?P<wd>{_WD}) (?P<rest>.*\d.*)")
_DATE_WITH_WEEKDAY = re.compile(rf"(?P<rest>.*?\d.*?) (?:hari )?(?P<wd>{_WD})")
_DAY_OF_MONTH = re.compile(
    rf"(?P<day>\d{{1,2}})(?P<ord>{_ORD})?"
    r"(?: (?P<month>bulan ini|this month|bulan depan|next month|bln depan|bln ini))?"
)
_NUMERIC = re.compile(r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})(?:[/.\-](?P<y>\d{4}|\d{2}))?")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DAY_MONTH = re.compile(rf"(?P<d>\d{{1,2}}){_ORD}? (?P<mon>{_MON})(?: (?P<y>\d{{4}}|\d{{2}}))?")
_MONTH_DAY = re.compile(rf"(?P<mon>{_MON}) (?P<d>\d{{1,2}}){_ORD}?(?: (?P<y>\d{{4}}))?")

# The only words dateparser is given, around a single weekday ("last Monday"). On anything
# wider it drops what it cannot fit or counts wrongly ("tomorrow week" is tomorrow, "3 days
# after today" is today, "monday one" is 1 November, "yang 1 5" is 1 May, "5" is a past 5th),
# so numbers, units and day words stay with the rules above.
_FALLBACK_WORDS = frozenset(_WEEKDAYS) | frozenset(
    ["last", "lalu", "ago", "yang", "kemarin", "kemaren", "this", "ini", "coming", "next", "depan"]
)


class _Refused(Exception):
    """Raised inside the hand-written rules when a text is recognised and known not to be a date."""


class _WeekdayConflict(_Refused):
    """Raised when a text names a weekday and a date that falls on another weekday."""

    def __init__(self, weekday: int, day: datetime.date) -> None:
        super().__init__(weekday, day)
        self.weekday = weekday
        self.day = day


def parse_date(text: str, today: datetime.date) -> datetime.date | None:
    """Return the calendar date a citizen means by text, read as of today, or None.

    See the module docstring for the exact reading of each form. In short: relative words count
    from today; a weekday name is the nearest such day that is today or later; "<weekday> depan"
    / "next <weekday>" is that weekday in the following Monday-based week; "minggu depan" /
    "next week" is next week's Monday; "tgl N" is the next day N that is not past; numbers are
    day-first; a date without a year is the next one that is not past; a date with a year is
    returned as written, even if past. A lone number, a time, a NIK or a non-date gives None, as
    does a weekday written with a date on another weekday (`weekday_conflict` says which).
    """
    try:
        today = datetime.date(today.year, today.month, today.day)
        if not isinstance(text, str):
            return None
        words, day_marker = _normalise(text)
        if not words:
            return None
        try:
            found = _match_rules(" ".join(words), day_marker, today)
        except _Refused:
            return None
        return found if found is not None else _read_by_dateparser(words, today)
    except Exception:  # noqa: BLE001 - no text, nor a dateparser failure on it, may crash a chat
        return None


def weekday_conflict(text: str, today: datetime.date) -> tuple[int, datetime.date] | None:
    """Return (the weekday written, 0 = Monday, the date written) when they disagree, else None.

    "Senin 8/12" read in 2026 gives (0, 2026-12-08), as 8 December 2026 is a Tuesday; parse_date
    refuses such a text, and this says why. Every weekday-with-date form parse_date reads counts,
    in either order ("Kamis tgl 8", "Monday 8 Dec 2026", "8/12 hari Senin"). A weekday that agrees,
    a text with no weekday or no date, an impossible date ("Senin 31/2") or a non-date give None.
    """
    try:
        today = datetime.date(today.year, today.month, today.day)
        if not isinstance(text, str):
            return None
        words, day_marker = _normalise(text)
        if words:
            _match_rules(" ".join(words), day_marker, today)
    except _WeekdayConflict as conflict:
        return conflict.weekday, conflict.day
    except Exception:  # noqa: BLE001 - as in parse_date, no text may crash a chat
        return None
    return None


def format_date(day: datetime.date, lang: str) -> str:
    """Return the date in words, e.g. 'Kamis, 3 Desember 2026' (id) or 'Thursday, 3 December 2026' (en)."""
    # babel's "full" format differs per locale ("03 Desember", "December 3,"), so fix the pattern.
    locale = "en" if lang.lower().startswith("en") else "id"
    return babel_format_date(day, format="EEEE, d MMMM y", locale=locale)


def format_date_short(day: datetime.date, lang: str) -> str:
    """Return the date without its year, e.g. 'Kamis 3 Des' (id) or 'Thu 3 Dec' (en).

    For texts that must fit one SMS: a booking is at most weeks ahead, so the year is plain.
    """
    locale = "en" if lang.lower().startswith("en") else "id"
    return babel_format_date(day, format="EEE d MMM" if locale == "en" else "EEEE d MMM", locale=locale)


def weekday_name(weekday: int, lang: str) -> str:
    """Return the name of the weekday (0 = Monday), e.g. 'Senin' (id) or 'Monday' (en)."""
    locale = "en" if lang.lower().startswith("en") else "id"
    return str(get_day_names("wide", locale=locale)[weekday])


def _normalise(text: str) -> tuple[list[str], bool]:
    """Return the text's meaningful lower-case words and whether a day-of-month marker was seen."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT_LENGTH:
        return [], False
    text = unicodedata.normalize("NFKC", text).casefold()
    # "jum'at" is "jumat", whatever the apostrophe (' ’ ‘ ʼ `, or ´, which NFKC makes a space and
    # an accent); "jum at" too. Left apart, "at 4" in "Jum'at, 4 Des" would be read as a time.
    text = re.sub(r"['\u2018\u2019\u02bb\u02bc\u2032`\u0301]", "", text)
    text = re.sub(r"[^a-z0-9/.:\-\s]", " ", text)
    text = re.sub(r"\bjum\s+at\b", "jumat", text)
    # A word glued to digits is set apart: "tgl28des" is "tgl 28 des", "jam8" is "jam 8".
    text = _GLUED_BEFORE_DIGITS.sub(r"\1 ", text)
    text = _GLUED_AFTER_DIGITS.sub(r"\1 \2", text)
    text = _TIME_OF_DAY.sub(" ", text)
    # Separators count only between digits: "tgl.", "des.", "besok!" lose theirs.
    text = re.sub(r"(?<![0-9])[/.:\-]|[/.:\-](?![0-9])", " ", text)
    # "y.a.d." (yang akan datang), its dots now spaces.
    text = re.sub(r"\b(?:y a d|yad)\b", "yang akan datang", text)
    words: list[str] = []
    day_marker = False
    for word in text.split():
        if word == "hr" and len(words) >= 2 and words[-2] == "in":
            words.append(word)  # "in 2 hr" is two hours, not two days
        elif word in _DAY_MARKERS:
            day_marker = True
        elif word not in _FILLERS:
            words.append(_ABBREVIATIONS.get(word, word))
    # "the"/"on the" before a number also marks a day of the month ("on the 5").
    if re.search(r"\bthe\s+\d", text):
        day_marker = True
    return words, day_marker


def _match_rules(text: str, day_marker: bool, today: datetime.date) -> datetime.date | None:
    """Return the date the rules read in text, None if they do not apply, or raise _Refused."""
    if _TODAY.fullmatch(text):
        return today
    if _TOMORROW.fullmatch(text):
        return today + datetime.timedelta(days=1)
    if _DAY_AFTER_TOMORROW.fullmatch(text):
        return today + datetime.timedelta(days=2)
    if _YESTERDAY.fullmatch(text):
        return today - datetime.timedelta(days=1)
    if _DAY_BEFORE_YESTERDAY.fullmatch(text):
        return today - datetime.timedelta(days=2)
    if _NEXT_WEEK.fullmatch(text):
        return _monday_of_next_week(today)
    if m := _COUNT_FORWARD.fullmatch(text):
        if m["in"] or m["after"]:
            return today + datetime.timedelta(days=_count_days(m))
        if not day_marker:
            raise _Refused  # "3 hari" is a duration, not a date; "tgl 6 minggu" is a Sunday
    if m := _COUNT_BACK.fullmatch(text):
        return today - datetime.timedelta(days=_count_days(m))
    if _THIS_WEEK.fullmatch(text):
        raise _Refused  # a week, not a day; "hari Minggu ini" still means this Sunday
    if m := _WEEKDAY_NEXT.fullmatch(text):
        weekday = _WEEKDAYS[m["wd"] or m["wd2"]]
        return _monday_of_next_week(today) + datetime.timedelta(days=weekday)
    if m := _WEEKDAY.fullmatch(text):
        return _nearest_weekday(today, _WEEKDAYS[m["wd"]])
    if m := _WEEKDAY_WITH_DATE.fullmatch(text):
        # After a weekday a bare number is a day of the month ("senin 7"), as after "tgl".
        return _agreeing(_WEEKDAYS[m["wd"]], _match_date(m["rest"], True, today))
    if m := _DATE_WITH_WEEKDAY.fullmatch(text):
        # Before one it is not: "2 senin" may count Mondays, so it needs "tgl" ("tgl 7 senin").
        return _agreeing(_WEEKDAYS[m["wd"]], _match_date(m["rest"], day_marker, today))
    return _match_date(text, day_marker, today)


def _agreeing(weekday: int, day: datetime.date | None) -> datetime.date:
    """Return the date written with a weekday; raise _Refused if it is none, or on another weekday."""
    if day is None:
        raise _Refused
    if day.weekday() != weekday:
        raise _WeekdayConflict(weekday, day)
    return day


def _match_date(text: str, day_marker: bool, today: datetime.date) -> datetime.date | None:
    """Return the date written in digits or month names, or None; raise _Refused if impossible."""
    if m := _ISO.fullmatch(text):
        return _explicit(int(m["y"]), int(m["m"]), int(m["d"]))
    if m := _NUMERIC.fullmatch(text):
        return _day_month_year(int(m["d"]), int(m["m"]), m["y"], today)
    if m := _DAY_MONTH.fullmatch(text):
        return _day_month_year(int(m["d"]), _MONTHS[m["mon"]], m["y"], today)
    if m := _MONTH_DAY.fullmatch(text):
        return _day_month_year(int(m["d"]), _MONTHS[m["mon"]], m["y"], today)
    if m := _DAY_OF_MONTH.fullmatch(text):
        if not (day_marker or m["ord"]):
            raise _Refused  # a lone number is a menu choice
        return _day_of_month(int(m["day"]), m["month"], today)
    return None


def _count_days(m: re.Match[str]) -> int:
    """Return how many days a matched "N hari/weeks" phrase counts."""
    if m["unit1"]:
        n, unit = 1, m["unit1"]
    else:
        n = int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS[m["n"]]
        unit = m["unit"]
    return n * 7 if unit.startswith(("minggu", "pekan", "week")) else n


def _monday_of_next_week(today: datetime.date) -> datetime.date:
    """Return the Monday of the calendar week after today's."""
    return today + datetime.timedelta(days=7 - today.weekday())


def _nearest_weekday(today: datetime.date, weekday: int) -> datetime.date:
    """Return the nearest day with that weekday that is today or later."""
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7)


def _explicit(year: int, month: int, day: int) -> datetime.date:
    """Return the date as written; raise _Refused if the calendar has no such day."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _Refused from None


def _day_month_year(day: int, month: int, year: str | None, today: datetime.date) -> datetime.date:
    """Return the day/month in the year written, else the next one that is not past."""
    if year is not None:
        full_year = int(year) + 2000 if len(year) == 2 else int(year)
        return _explicit(full_year, month, day)
    # Nine years always hold a leap year (even 2096 to 2104, past 2100), so 29/2 is found.
    for candidate_year in range(today.year, today.year + 9):
        try:
            candidate = datetime.date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise _Refused  # no year has it: 31/02, 32/1, 5/13


def _day_of_month(day: int, month_word: str | None, today: datetime.date) -> datetime.date:
    """Return day N of this month if not past, else of the next month that has it."""
    if not 1 <= day <= 31:
        raise _Refused
    year, month = today.year, today.month
    if month_word and ("depan" in month_word or "next" in month_word):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        # The citizen named the month, so a missing day there is a mistake, not a roll-over.
        return _explicit(year, month, day)
    if month_word:
        return _explicit(year, month, day)
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = datetime.date(year, month, day)
            if candidate >= today:
                return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise _Refused


@functools.lru_cache(maxsize=8)
def _dateparser_for(today: datetime.date) -> DateDataParser:
    """Return a DateDataParser whose relative dates count from today (one per day, reused)."""
    # RELATIVE_BASE is fixed at construction, so a parser is kept per day rather than one for all.
    return DateDataParser(
        languages=["id", "en"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": datetime.datetime.combine(today, datetime.time()),
            "RETURN_TIME_AS_PERIOD": True,
            # The timestamp and no-spaces parsers read NIKs and phone numbers as dates.
            "PARSERS": ["relative-time", "absolute-time"],
        },
    )


def _read_by_dateparser(words: list[str], today: datetime.date) -> datetime.date | None:
    """Return the whole day dateparser reads in words, or None when its answer is not trusted."""
    weekdays = {_WEEKDAYS[word] for word in words if word in _WEEKDAYS}
    if len(weekdays) != 1 or not all(word in _FALLBACK_WORDS for word in words):
        return None
    data = _dateparser_for(today).get_date_data(" ".join(words))
    found = data.date_obj
    if found is None or data.period != "day" or found.time() != datetime.time():
        return None
    day = found.date()
    if day.weekday() not in weekdays:
        return None
    # A past day is believed only when the words speak of the past.
    if day < today and not any(word in _PAST_WORDS for word in words):
        return None
    return day
