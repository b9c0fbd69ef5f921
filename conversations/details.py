"""Read the details of a booking from one message, in any order ("baru biasa, Budi Santoso,
1671014501900001, besok sesi 1"), on separate lines, after commas, or run together.

Pure. The machine merges what is found into its draft and asks only for what is missing;
what could not be read is returned too, so that no part of a message is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from conversations import words
from conversations.dates import parse_date, weekday_conflict
from conversations.names import check_name
from conversations.nik import NikCheck, find_nik, read_nik, remove_nik

# Words that carry no detail of their own ("pesan paspor baru", "NIK: ...", "tanggal: besok").
_FILLERS = frozenset(
    {
        "pesan",
        "daftar",
        "booking",
        "book",
        "antre",
        "antrean",
        "antrian",
        "mau",
        "ingin",
        "saya",
        "aku",
        "untuk",
        "buat",
        "bikin",
        "minta",
        "tolong",
        "dong",
        "kak",
        "pak",
        "bu",
        "min",
        "paspor",
        "passport",
        "layanan",
        "jenis",
        "service",
        "type",
        "nama",
        "name",
        "nik",
        "ktp",
        "tanggal",
        "tgl",
        "date",
        "hari",
        "day",
        "sesi",
        "session",
        "no",
        "nomor",
        "and",
        "dan",
        "atau",
        "yang",
        "please",
        "pls",
        "i",
        "want",
        "to",
        "a",
        "an",
        "the",
        "my",
        "for",
        "new",
        "ya",
        "ok",
        "oke",
        "halo",
        "hai",
        "hi",
        "hello",
        "permisi",
    }
)
_SEGMENT_SPLIT = re.compile(r"[\n;|]+|,(?!\d)|\s+-\s+|\s+/\s+")
_SERVICE_WORDS = frozenset(w for _, ws in words.SERVICES for w in ws if " " not in w)
_TYPE_WORDS = frozenset(w for _, ws in words.PASSPORT_TYPES for w in ws if " " not in w) | {"non", "e"}
_DIGITS = re.compile(r"\d")
# A run of digits, maybe with a letter typed for a digit (O for 0) and spaces, dots or dashes.
_DIGIT_RUN = re.compile(r"[0-9OoIl]*\d[0-9OoIl \t.\-]*\d[0-9OoIl]*")
_FOR_CHILD = re.compile(
    r"\b(?:untuk|utk|buat|bwt)\s+(?:anak|putra|putri|puteri|putera)\b|\b(?:anak|putra|putri)\s+(?:saya|sy|aku|kami)\b"
    r"|\bfor\s+my\s+(?:child|son|daughter|kid)\b|\b(?:paspor|passport)\s+(?:anak|child)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Details:
    """What one message says of a booking; None where it says nothing."""

    service: str | None = None
    passport_type: str | None = None
    name: str | None = None
    name_dropped: bool = False  # emoji were left out of the name
    nik: NikCheck | None = None  # a NIK written, checked (nik.nik None when refused)
    date: dt.date | None = None
    date_text: str | None = None  # a date written that could not be read ("Senin 8/12" on a Tuesday)
    session: int | None = None  # the session's number on the day, 1-based
    child: bool = False  # "untuk anak saya": the booking is for a child
    rest: tuple[str, ...] = ()  # parts that were not understood

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the details found (a refused NIK counts: it was written)."""
        found = [
            ("service", self.service),
            ("passport_type", self.passport_type),
            ("name", self.name),
            ("nik", self.nik),
            ("date", self.date or self.date_text),
            ("session", self.session),
        ]
        return tuple(name for name, value in found if value is not None)


def for_child(text: str) -> bool:
    """Return whether the message says the booking is for a child ("untuk anak saya")."""
    return bool(_FOR_CHILD.search(text or ""))


def read_details(text: str, today: dt.date, starts: list[str]) -> Details:
    """Return the booking details written in text; `starts` are session start times ("08:00")."""
    text = (text or "").strip()
    nik: NikCheck | None = None
    found_nik = find_nik(text)
    if found_nik is not None:
        nik = read_nik(found_nik)
        text = remove_nik(text).replace("  ", " , ")
    else:
        nik = _refused_nik(text)
        if nik is not None:
            text = _remove_digit_runs(text)
    service = words.service_in(text)
    passport_type = words.passport_type_in(text)
    child = for_child(text)
    text = _FOR_CHILD.sub(" ", text)
    segments = [s.strip(" .:=") for s in _SEGMENT_SPLIT.split(text)]
    segments = [s for s in segments if s]
    date: dt.date | None = None
    date_text: str | None = None
    session: int | None = None
    name: str | None = None
    dropped = False
    rest: list[str] = []
    i = 0
    while i < len(segments):
        segment = segments[i]
        # "Kamis, 3 Desember 2026" (as the bot writes a date) is one date over two segments.
        if date is None and i + 1 < len(segments):
            joined = f"{segment}, {segments[i + 1]}"
            day, number = _date_and_session(joined, today, starts)
            if day is not None and _date_and_session(segment, today, starts)[0] is not None:
                date, session = day, number or session
                i += 2
                continue
        day, number = _date_and_session(segment, today, starts)
        if day is not None and date is None:
            date, session = day, number or session
        elif number is not None and session is None and not _words_left(_without_session(segment, starts)):
            session = number
        elif date is None and weekday_conflict(segment, today) is not None:
            date_text = segment
        elif date is None and name is None and (split := _name_and_date(segment, today, starts)):
            # "Budi Santoso 3/12 pagi", "besok Budi Santoso": a name and a date with no comma.
            name, dropped, date, number = split
            session = number or session
        else:
            leftover = _strip_known(segment)
            if leftover:
                checked = check_name(leftover)
                if name is None and checked.name is not None:
                    name, dropped = checked.name, checked.dropped
                else:
                    rest.append(segment)
        i += 1
    return Details(
        service=service,
        passport_type=passport_type,
        name=name,
        name_dropped=dropped,
        nik=nik,
        date=date,
        date_text=date_text,
        session=session,
        child=child,
        rest=tuple(rest),
    )


def _name_and_date(segment: str, today: dt.date, starts: list[str]) -> tuple[str, bool, dt.date, int | None] | None:
    """Split a segment into a name and a date (either first), if it is one."""
    tokens = segment.split()
    for cut in range(1, len(tokens)):
        for name_part, date_part in ((tokens[:cut], tokens[cut:]), (tokens[cut:], tokens[:cut])):
            day, number = _date_and_session(" ".join(date_part), today, starts)
            if day is None:
                continue
            checked = check_name(_strip_known(" ".join(name_part)))
            if checked.name is not None:
                return checked.name, checked.dropped, day, number
    return None


def _date_and_session(segment: str, today: dt.date, starts: list[str]) -> tuple[dt.date | None, int | None]:
    number, rest = words.session_hint(segment, starts)
    rest = _strip_known(rest, keep_dates=True)
    return (parse_date(rest, today) if rest else None), number


def _without_session(segment: str, starts: list[str]) -> str:
    return words.session_hint(segment, starts)[1]


def _words_left(text: str) -> bool:
    return bool(_strip_known(text))


def _strip_known(segment: str, keep_dates: bool = False) -> str:
    """Return the segment without fillers and the service and passport type words."""
    kept = []
    for token in segment.split():
        bare = re.sub(r"[^\w'-]", "", token.lower())
        if not bare:
            continue
        if bare in _SERVICE_WORDS or bare in _TYPE_WORDS or bare in ("e-paspor", "epaspor", "e-passport"):
            continue
        if not keep_dates and bare in _FILLERS:
            continue
        if keep_dates and bare in ("pesan", "paspor", "passport", "booking", "book", "nik"):
            continue
        kept.append(token)
    return " ".join(kept).strip(" ,.:;-")


def _refused_nik(text: str) -> NikCheck | None:
    """Return the check of a NIK-like number in text that is no NIK (17 digits, a letter in it)."""
    runs = _DIGIT_RUN.findall(text)
    longest = max(runs, key=lambda run: len(_DIGITS.findall(run)), default="")
    if len(_DIGITS.findall(longest)) < 12:
        return None
    checked = read_nik(longest)
    return checked if checked.nik is None else None


def _remove_digit_runs(text: str) -> str:
    """Remove the long runs of digits (a mistyped NIK) so that the rest can be read."""
    return _DIGIT_RUN.sub(lambda m: " , " if len(_DIGITS.findall(m.group())) >= 12 else m.group(), text)
