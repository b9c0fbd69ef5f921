"""niks_in: every NIK the machine could read in a message, known before the machine runs.

Storage loads facts.nik_bookings for these NIKs (and the draft's) in one query; a NIK the
machine reads that niks_in misses would be looked up as free. So the machine's own readers,
and the machine itself, are checked against niks_in on many texts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.details import read_details
from conversations.machine import Inbound, step
from conversations.nik import find_nik, niks_in, read_nik
from conversations.state import State
from tests.conversations.test_machine import (
    AT_CONFIRM,
    AT_DATE,
    AT_NAME,
    AT_NIK,
    AT_SESSION,
    AT_TYPE,
    CODE,
    MOVING,
    NIK,
    NIK2,
    NOW,
    SESSIONS,
    TODAY,
    Draft,
    make_facts,
)

STARTS = [start for _, start, _ in SESSIONS]
NIK3 = "3273014107950003"
FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))


def written(nik: str, separator: str) -> str:
    """The NIK as a citizen may type it: in groups of four with a separator between."""
    return separator.join(nik[i : i + 4] for i in range(0, 16, 4))


# The pieces a message about a NIK is made of: NIKs whole, in groups, cut by words the machine
# takes out ("salah", "nik", "ganti"), numbers that are no NIK (a wrong province, 17 digits),
# dates, sessions, names and junk.
PIECES = [
    NIK,
    NIK2,
    NIK3,
    written(NIK, " "),
    written(NIK2, "."),
    written(NIK3, "-"),
    NIK.translate(FULL_WIDTH),
    NIK[:8],
    NIK[8:],
    NIK2[:4],
    NIK2[4:12],
    NIK2[12:],
    "9971014501900001",  # no such province
    "1671014501900000",  # serial 0000
    NIK + "2",
    "16710145O1900001",  # a letter O for a zero
    "nik",
    "NIK:",
    "ktp",
    "no. KTP",
    "salah",
    "ganti",
    "nama",
    "tgl",
    "tanggal",
    "sesi",
    "jam",
    "Budi Santoso",
    "paspor baru",
    "elektronik",
    "pesan",
    "besok",
    "3/12",
    "3 Desember",
    "2",
    "10.00",
    "5",
    "x",
    "YA",
    "🙂",
]
SEPARATORS = [" ", "  ", "\n", ", ", ".", "-", "", " - ", ":"]

texts = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), min_size=1, max_size=8).map(
    lambda parts: "".join(piece + separator for piece, separator in parts)
)
any_text = st.one_of(texts, st.text(alphabet=st.sampled_from("0123456789 .-\nnikNIKsalahx1"), max_size=60))


def read_by_readers(text: str) -> set[str]:
    """Return every NIK the machine's readers accept in text, as they are called on it."""
    found: set[str] = set()
    for value in (
        read_nik(text).nik,
        read_nik(find_nik(text) or "").nik,
        (read_details(text, TODAY, STARTS).nik or read_nik("")).nik,
    ):
        if value is not None:
            found.add(value)
    return found


@pytest.mark.parametrize(
    ("text", "niks"),
    [
        ("", set()),
        ("tidak tahu", set()),
        (NIK, {NIK}),
        ("1671 0145 0190 0001", {NIK}),
        ("NIK saya 1671.0145.0190.0001, Budi", {NIK}),
        (NIK.translate(FULL_WIDTH), {NIK}),
        # "salah nik ... ganti ...": the machine takes the words out, and the groups join.
        ("salah nik 1671 0145 ganti 0190 0001", {NIK}),
        (f"{NIK} dan {written(NIK2, '-')}", {NIK, NIK2}),
        # Lines of three digits and dashes: no number to find_nik, but read_nik checks it whole.
        ("167\n-\n101\n-\n450\n-\n190\n-\n000\n-\n1", {NIK}),
        ("9971014501900001", set()),  # no NIK's form: no reader accepts it
    ],
)
def test_niks_in_a_message(text, niks):
    assert niks <= niks_in(text)
    assert read_by_readers(text) <= niks_in(text)


@settings(max_examples=500, deadline=None)
@given(text=any_text)
def test_every_nik_a_reader_accepts_is_in_niks_in(text):
    assert read_by_readers(text) <= niks_in(text)


class AskedNiks(Mapping[str, str]):
    """nik_bookings that remembers every NIK the machine asks about (none has a booking)."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, nik: str) -> str:
        self.asked.add(nik)
        raise KeyError(nik)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


STATES = [
    State(),
    State(step="service"),
    State(step="passport_type", draft=AT_TYPE),
    State(step="name", draft=AT_NAME),
    State(step="nik", draft=AT_NIK),
    State(step="date", draft=AT_DATE),
    State(step="session", draft=AT_SESSION),
    State(step="confirm", draft=AT_CONFIRM),
    State(step="confirm", draft=replace(AT_CONFIRM, nik=NIK2)),
    State(step="date", draft=MOVING),
    State(step="cancel_confirm", draft=Draft(cancelling=CODE)),
]
PREFIXES = ["", "PESAN ", "salah nik ", "ganti ktp ", "NIK salah, ", "paspor baru elektronik Budi Santoso "]


@settings(max_examples=500, deadline=None)
@given(state=st.sampled_from(STATES), prefix=st.sampled_from(PREFIXES), text=any_text)
def test_the_machine_asks_only_about_niks_storage_loaded(state, prefix, text):
    text = prefix + text
    asked = AskedNiks()
    step(state, Inbound(text), NOW, replace(make_facts(), nik_bookings=asked))
    loaded = niks_in(text) | ({state.draft.nik} if state.draft.nik else set())
    assert asked.asked <= loaded


@pytest.mark.parametrize(
    ("state", "text"),
    [
        (State(step="nik", draft=AT_NIK), "1671 0145 0190 0001"),
        (State(step="name", draft=AT_NAME), "Budi Santoso 1671014501900001"),
        (State(), "pesan paspor baru elektronik Budi Santoso 1671-0145-0190-0001"),
        (State(step="confirm", draft=replace(AT_CONFIRM, nik=NIK2)), "salah nik 1671 0145 ganti 0190 0001"),
    ],
)
def test_the_machine_asks_about_the_nik_written(state, text):
    asked = AskedNiks()
    step(state, Inbound(text), NOW, replace(make_facts(), nik_bookings=asked))
    assert NIK in asked.asked  # the case is one where the machine reads a NIK ...
    assert asked.asked <= niks_in(text) | {state.draft.nik}  # ... and storage loaded it
