"""The places left are counted only when the conversation reads them: a greeting or a menu
choice counts none, a date counts that day, a full day (whose nearest free dates are offered)
the booking window; and what is offered is what is free."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from conversations.facts import PlacesNotCounted, SessionInfo
from storage import quota
from storage.offices import office_by_code
from tests.builders import make_booking, make_officer, session_id
from tests.conftest import START

WEDNESDAY = dt.date(2026, 12, 2)
THURSDAY = dt.date(2026, 12, 3)
STARTS = ("08:00", "10:00", "13:00")


@contextlib.contextmanager
def place_counts() -> Iterator[list[tuple[dt.date, dt.date]]]:
    """Collect the (first, last) days of every count of places taken the app runs meanwhile."""
    seen: list[tuple[dt.date, dt.date]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if "GROUP BY bookings.date" in statement:
            days = list(parameters.values() if isinstance(parameters, dict) else parameters)
            dates = [d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in days if _is_date(d)]
            seen.append((min(dates), max(dates)))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def _is_date(value: object) -> bool:
    if isinstance(value, dt.datetime):
        return False
    if isinstance(value, dt.date):
        return True
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def fill(db, day: dt.date) -> None:
    """Leave no place on day: one place a session, each booked."""
    chief = make_officer(db, "chief", role="supervisor", password=None)
    ids = [session_id(db, start) for start in STARTS]
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        for sid in ids:
            quota.set_capacity(session, chief, office, sid, day, day, 1, START)
    for n, start in enumerate(STARTS, start=1):
        make_booking(db, f"+62813000000{n:02d}", 100 + n, day, start)


def to_the_date_step(citizen) -> None:
    for text in ("MENU", "1", "baru biasa", "Budi Santoso", "1671010101900001"):
        citizen.says(text)


def test_a_greeting_and_a_menu_choice_count_no_places(citizen) -> None:
    with place_counts() as counts:
        citizen.says("halo")
        citizen.says("1")
        citizen.says("baru biasa")
    assert counts == []


def test_a_date_counts_the_places_of_that_day_only(citizen) -> None:
    to_the_date_step(citizen)
    with place_counts() as counts:
        replies = citizen.says("3/12")
    assert "Pilih sesi" in replies[0], replies
    assert counts == [(THURSDAY, THURSDAY)]
    assert "50" in replies[0]  # the places left are shown, counted


def test_a_full_day_counts_the_window_and_offers_the_nearest_free_dates(db, citizen) -> None:
    fill(db, WEDNESDAY)
    to_the_date_step(citizen)
    with place_counts() as counts:
        replies = citizen.says("2/12")
    text = " ".join(replies)
    assert "penuh" in text and "Tanggal terdekat" in text, replies
    assert "2/12" not in text.split("Tanggal terdekat")[1] and "3 Des" in text.split("Tanggal terdekat")[1]
    assert counts[0] == (WEDNESDAY, WEDNESDAY) and counts[-1][0] <= WEDNESDAY < counts[-1][1]
    assert len(counts) == 2


def test_a_session_chosen_on_a_full_day_in_one_message_is_refused(db, citizen) -> None:
    fill(db, WEDNESDAY)
    for text in ("MENU", "1"):
        citizen.says(text)
    replies = citizen.says("baru biasa, Budi Santoso, 1671010101900001, 2/12 sesi 1")
    assert "penuh" in " ".join(replies) and "Balas YA" not in " ".join(replies), replies


def test_places_not_counted_cannot_be_read_as_a_number() -> None:
    info = SessionInfo(1, 1, "08:00", "10:00", 50, None, WEDNESDAY)
    with pytest.raises(PlacesNotCounted) as raised:
        _ = info.available
    assert raised.value.day == WEDNESDAY
    assert SessionInfo(1, 1, "08:00", "10:00", 50, 7, WEDNESDAY).available == 7
