"""Check the form of a NIK (Nomor Induk Kependudukan), find one in a message, and mask it.

A NIK is 16 digits: province (2), regency/city (2), district (2), birth date DDMMYY with 40
added to the day for women, and a serial (4, from 0001). Only the form can be checked here;
whether the number exists is known only to the civil registry (Dukcapil).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass

NIK_LENGTH = 16

# Province codes of Indonesia (Kemendagri), including the Papua provinces formed in 2022 (92-97).
PROVINCE_CODES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        31,
        32,
        33,
        34,
        35,
        36,
        51,
        52,
        53,
        61,
        62,
        63,
        64,
        65,
        71,
        72,
        73,
        74,
        75,
        76,
        81,
        82,
        91,
        92,
        93,
        94,
        95,
        96,
        97,
    }
)

_SEPARATORS = re.compile(r"[\s.\-]+")
# Groups of digits joined by single runs of spaces, dots or dashes, but not across lines:
# a number on the next line is another number.
_DIGIT_GROUPS = re.compile(r"[0-9]+(?:[ \t.\-]+[0-9]+)*")
# The label a citizen may write before a NIK ("NIK: ", "no. KTP ").
_NIK_LABEL = re.compile(r"\b(?:nik|no\.?\s*ktp|ktp)\s*[:=\-]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NikCheck:
    """The outcome of checking a NIK's form."""

    nik: str | None  # the 16 digits when ok, else None
    problem: str | None  # None when ok; else "length", "digits", "birth_date", "serial", "region"


def check_nik(text: str) -> NikCheck:
    """Check the form of a NIK written by a citizen (spaces, dots and dashes between digits allowed)."""
    if not isinstance(text, str):
        return NikCheck(None, "digits")
    # NFKC turns full-width digits from phone keyboards into ASCII ones.
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not digits.isascii() or (digits and not digits.isdigit()):
        return NikCheck(None, "digits")
    if len(digits) != NIK_LENGTH:
        return NikCheck(None, "length")
    problem = _form_problem(digits)
    return NikCheck(None, problem) if problem else NikCheck(digits, None)


def _nik_spans(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, digits) of every NIK find_nik would see in text, left to right."""
    spans: list[tuple[int, int, str]] = []
    for run in _DIGIT_GROUPS.finditer(text):
        groups = list(re.finditer(r"[0-9]+", run.group()))
        start = 0
        while start < len(groups):
            total, end = 0, start
            for end in range(start, len(groups)):
                total += len(groups[end].group())
                if total >= NIK_LENGTH:
                    break
            if total == NIK_LENGTH:
                digits = "".join(g.group() for g in groups[start : end + 1])
                spans.append((run.start() + groups[start].start(), run.start() + groups[end].end(), digits))
                start = end + 1
            else:
                start += 1
    return spans


def find_nik(text: str) -> str | None:
    """Return the first 16 digits in text (spaces, dots or dashes allowed between groups), or None."""
    if not isinstance(text, str):
        return None
    spans = _nik_spans(unicodedata.normalize("NFKC", text))
    return spans[0][2] if spans else None


def mask_niks(text: str) -> str:
    """Return text with every NIK that find_nik would see masked (its last 4 digits kept)."""
    # NFKC keeps the length of ASCII text; other text is masked in its normalized form.
    text = unicodedata.normalize("NFKC", text or "")
    for start, end, digits in reversed(_nik_spans(text)):
        text = text[:start] + mask_nik(digits) + text[end:]
    return text


def remove_nik(text: str) -> str:
    """Return text without its first NIK and the label before it ("NIK: 1671 ..."), trimmed."""
    text = unicodedata.normalize("NFKC", text or "")
    spans = _nik_spans(text)
    if not spans:
        return text
    start, end, _ = spans[0]
    before = _NIK_LABEL.sub("", text[:start])
    return f"{before} {text[end:]}".strip(" ,;:-")


def mask_nik(nik: str) -> str:
    """Return the NIK with all but its last 4 digits hidden, e.g. '************3456'."""
    digits = re.sub(r"[^0-9]", "", nik)
    # Showing 4 digits of a short number would show most or all of it.
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def _form_problem(digits: str) -> str | None:
    """Return the first problem with the form of 16 digits, reading left to right, or None."""
    if int(digits[0:2]) not in PROVINCE_CODES:
        return "region"
    if not _plausible_birth_date(int(digits[6:8]), int(digits[8:10]), int(digits[10:12])):
        return "birth_date"
    if digits[12:16] == "0000":
        return "serial"
    return None


def _plausible_birth_date(day: int, month: int, year: int) -> bool:
    """Return whether DDMMYY (day + 40 for women) is a real date in 19YY or 20YY."""
    if day > 40:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    return any(day <= calendar.monthrange(century + year, month)[1] for century in (1900, 2000))
