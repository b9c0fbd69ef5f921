"""Check the form of a NIK (Nomor Induk Kependudukan), find one in a message, and mask it.

A NIK is 16 digits: province (2), regency/city (2), district (2), birth date DDMMYY with 40
added to the day for women, and a serial (4, from 0001). Only the form can be checked here;
whether the number exists is known only to the civil registry (Dukcapil).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

NIK_LENGTH = 16
# Below this age a citizen applies as a child: a parent books, with the child's documents
# (an Indonesian is an adult at 17, or once married, which a NIK does not tell).
ADULT_AGE = 17

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
# The label glued to the NIK it names ("nik:1671...").
_NIK_LABEL_WORD = re.compile(r"^(?:nik|ktp)[:=]?", re.IGNORECASE)
# The label a NIK may be written against ("NIK1671...", "ktp1671...").
_GLUED_LABEL = re.compile(r"(?<![^\W\d_])(?:nik|ktp)$", re.IGNORECASE)
# A word whose number follows it: "tgl 5 1671 0145 0190 0001" is a day and a NIK.
_NUMBER_WORD = re.compile(r"\b(?:tgl|tanggal|sesi|sessi|session|jam|pukul|pk|date|day)\.?\s*$", re.IGNORECASE)


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


def _numbers(text: str) -> list[tuple[int, int, str, bool]]:
    """Return (start, end, digits, glued) of every number in text as a person would read them.

    Groups of digits joined by spaces, dots or dashes are one number ("1671 0145 0190 0001"),
    except that a block of 16 digits or more is a number by itself ("1671014501900001 5"),
    and so is a day, an hour or a session after its word ("tgl 5", "jam 10.00", "sesi 2").
    A number is glued when a letter touches it ("1671014501900001O", "x1671014501900001"):
    the letter may be a mistyped digit. The label "NIK" may touch it ("NIK1671014501900001").
    """
    numbers: list[tuple[int, int, str, bool]] = []
    for run in _DIGIT_GROUPS.finditer(text):
        groups = [(run.start() + g.start(), run.start() + g.end()) for g in re.finditer(r"[0-9]+", run.group())]
        pieces: list[list[tuple[int, int]]] = [[]]
        before = text[: run.start()]
        if _NUMBER_WORD.search(before) and groups[0][1] - groups[0][0] <= 2:
            # The word's number is the first group and those joined to it without a space.
            taken = 1
            while taken < len(groups) and not text[groups[taken - 1][1] : groups[taken][0]].strip(".-"):
                taken += 1
            pieces = [groups[:taken], []]
            groups = groups[taken:]
        for start, end in groups:
            if end - start >= NIK_LENGTH:
                pieces += [[(start, end)], []]
            else:
                pieces[-1].append((start, end))
        pieces = [piece for piece in pieces if piece]
        glued_before = bool(before) and before[-1].isalpha() and not _GLUED_LABEL.search(before)
        glued_after = run.end() < len(text) and text[run.end()].isalpha()
        for n, piece in enumerate(pieces):
            digits = "".join(text[start:end] for start, end in piece)
            glued = (n == 0 and glued_before) or (n == len(pieces) - 1 and glued_after)
            numbers.append((piece[0][0], piece[-1][1], digits, glued))
    return numbers


def _nik_spans(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, digits) of every NIK find_nik would see in text, left to right.

    A number of more than 16 digits is not a NIK with some digits too many: none of it is
    taken ("1671 0145 0190 0001 2" may be a NIK mistyped, and which digit is wrong is unknown).
    Nor is a number a letter touches ("1671014501900001O", a zero typed as a letter O).
    """
    return [
        (start, end, digits) for start, end, digits, glued in _numbers(text) if len(digits) == NIK_LENGTH and not glued
    ]


def find_nik(text: str) -> str | None:
    """Return the first 16 digits in text (spaces, dots or dashes allowed between groups), or None."""
    if not isinstance(text, str):
        return None
    spans = _nik_spans(unicodedata.normalize("NFKC", text))
    return spans[0][2] if spans else None


def mask_niks(text: str) -> str:
    """Return text with every NIK that find_nik would see masked (its last 4 digits kept).

    A number longer than a NIK is masked too: it may be a NIK mistyped.
    """
    # NFKC keeps the length of ASCII text; other text is masked in its normalized form.
    text = unicodedata.normalize("NFKC", text or "")
    for start, end, digits, _ in reversed(_numbers(text)):
        if len(digits) < NIK_LENGTH:
            continue
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


def birth_date(nik: str, today: dt.date) -> dt.date | None:
    """Return the birth date a NIK's digits 7-12 give (DDMMYY, day + 40 for women), or None.

    The century is the latest that puts the birth on or before today: "150115" is 15 January
    2015 in 2026, and "150130" is 15 January 1930.
    """
    if len(nik) != NIK_LENGTH or not nik.isdigit():
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    for century in (2000, 1900):
        try:
            born = dt.date(century + year, month, day)
        except ValueError:
            continue
        if born <= today:
            return born
    return None


def age_on(born: dt.date, day: dt.date) -> int:
    """Return the age in whole years on a day of someone born on a date."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_minor(nik: str | None, day: dt.date) -> bool:
    """Return whether the NIK's holder is under ADULT_AGE on the day (a child applicant)."""
    born = birth_date(nik or "", day)
    return born is not None and age_on(born, day) < ADULT_AGE


def read_nik(text: str) -> NikCheck:
    """Check the NIK in a message, which may have words around it ("NIK saya 1671 ...").

    The NIK find_nik sees is checked; when it sees none, the words holding digits are, so
    that the citizen hears what is wrong: "NIK saya 16710145O1900001" (a letter O for a zero)
    has a letter in it, "NIK saya 1671 0145 0190 0001 2" is too long. A message with hardly
    a digit ("tidak tahu") is checked whole.
    """
    if not isinstance(text, str):
        return NikCheck(None, "digits")
    text = unicodedata.normalize("NFKC", text)
    spans = _nik_spans(text)
    if spans:
        return check_nik(spans[0][2])
    # The longest stretch of words holding a digit, each without the punctuation around it.
    best: list[str] = []
    stretch: list[str] = []
    for word in [*text.split(), ""]:
        word = _NIK_LABEL_WORD.sub("", word.strip(",;:!?()[]\"'"))
        if any(ch.isdigit() for ch in word):
            stretch.append(word)
            continue
        if _digit_count(stretch) > _digit_count(best):
            best = stretch
        stretch = []
    if _digit_count(best) < 4:
        return check_nik(text)
    check = check_nik(" ".join(best))
    # Digits find_nik does not read as a NIK ("tgl 16 71 01 ...": a day and 14 digits) are
    # not one here either: what the bot takes is what the inbox masks.
    return check if check.nik is None else NikCheck(None, "length")


def _digit_count(words: list[str]) -> int:
    return sum(ch.isdigit() for word in words for ch in word)


def niks_in(text: str) -> frozenset[str]:
    """Return every NIK the machine could read in text: each 16 digits in a row with a NIK's form.

    What storage looks up before the machine runs (facts.nik_bookings), so it must cover
    every reader: find_nik, read_nik, read_details, and the machine taking words out before
    it reads ("salah nik 1671 0145 ganti 0190 0001" leaves "1671 0145 0190 0001"). They all
    read the digits of the NFKC text in their order, joining some and never skipping one, so
    every 16 digits in a row of those digits covers them; the readers accept only a NIK's form.
    """
    if not isinstance(text, str):
        return frozenset()
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text) if "0" <= ch <= "9")
    runs = (digits[start : start + NIK_LENGTH] for start in range(len(digits) - NIK_LENGTH + 1))
    return frozenset(run for run in runs if _form_problem(run) is None)
