"""The office's setup, cached per process for the conversation, is read again whenever it
changes: an office file loaded, a capacity set, a date closed or opened, an extra session, a
change made straight through the ORM; and a message costs few statements."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage import quota
from storage.db import Database
from storage.models import ClosedDate, Office
from storage.office_setup import office_setup
from storage.offices import load_offices, office_by_code
from tests.builders import make_officer, session_id
from tests.conftest import START, default_office_specs
from tests.storage.test_conversation_state import facts_for, statements

WEDNESDAY = dt.date(2026, 12, 2)
SATURDAY = dt.date(2026, 12, 5)


@pytest.fixture
def chief(db):
    return make_officer(db, "chief", role="supervisor", password=None)


def version(db) -> str:
    with db.transaction() as session:
        return session.scalar(select(Office.setup_version).where(Office.code == "PLG"))


def test_the_setup_is_read_once_while_it_does_not_change(db):
    facts_for(db, "halo")
    with statements(db.engine) as seen:
        facts_for(db, "halo")
    assert not [
        s for s in seen if any(f"FROM {t}" in s for t in ("office_sessions", "closed_dates", "office_questions"))
    ]


def test_a_capacity_set_on_the_quota_pages_is_seen_at_once(db, chief):
    assert facts_for(db, "halo").days[WEDNESDAY].sessions[0].capacity == 50
    before, first = version(db), session_id(db, "08:00")
    with db.transaction() as session:
        quota.set_capacity(session, chief, office_by_code(session, "PLG"), first, WEDNESDAY, WEDNESDAY, 7, START)
    assert version(db) != before
    assert facts_for(db, "halo").days[WEDNESDAY].sessions[0].capacity == 7


def test_a_date_closed_and_opened_again_is_seen_at_once(db, chief):
    assert facts_for(db, "halo").days[WEDNESDAY].closed is None
    with db.transaction() as session:
        quota.close_date(session, chief, office_by_code(session, "PLG"), WEDNESDAY, "rapat", START)
    assert facts_for(db, "halo").days[WEDNESDAY].closed == "office"
    with db.transaction() as session:
        quota.reopen_date(session, chief, office_by_code(session, "PLG"), WEDNESDAY, START)
    assert facts_for(db, "halo").days[WEDNESDAY].closed is None


def test_an_extra_session_is_seen_at_once(db, chief):
    assert facts_for(db, "halo").days[SATURDAY].closed == "weekday"
    with db.transaction() as session:
        quota.add_extra_session(session, chief, office_by_code(session, "PLG"), SATURDAY, "09:00", "12:00", 20, START)
    saturday = facts_for(db, "halo").days[SATURDAY]
    assert saturday.closed is None and [s.start for s in saturday.sessions] == ["09:00"]


def test_an_office_file_loaded_again_is_seen_at_once(db):
    facts_for(db, "halo")
    (spec,) = default_office_specs()
    changed = spec.__class__(**{**spec.__dict__, "sessions": spec.sessions[:1]})
    with db.transaction() as session:
        load_offices(session, [changed])
    assert len(facts_for(db, "halo").days[WEDNESDAY].sessions) == 1


def test_a_change_straight_through_the_orm_is_seen_at_once(db):
    facts_for(db, "halo")
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        session.add(ClosedDate(office_id=office.id, date=WEDNESDAY, reason="listrik padam", source="officer"))
    assert facts_for(db, "halo").days[WEDNESDAY].closed == "office"


def test_two_databases_never_share_a_cached_setup(db, tmp_path):
    """Office ids repeat across databases (and tests): the cache keys on the database too,
    and a new office gets a new random version."""
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    other.migrate()
    with other.transaction() as session:
        load_offices(session, default_office_specs())
    with other.transaction() as session:
        office = office_by_code(session, "PLG")
        session.add(ClosedDate(office_id=office.id, date=WEDNESDAY, reason="x", source="officer"))
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        assert WEDNESDAY not in office_setup(session, office).closed
    with other.transaction() as session:
        assert WEDNESDAY in office_setup(session, office_by_code(session, "PLG")).closed
    other.dispose()


def test_a_message_that_changes_no_booking_costs_few_statements(db, citizen):
    citizen.says("halo")  # the first message of a process reads the office's setup
    with statements(db.engine) as seen:
        citizen.says("1")
    # BEGIN, the office, the conversation (locked), the MessageSid, the message, the places
    # taken, the citizen's bookings, the state, the reply: one statement each.
    assert len(seen) <= 9, "\n".join(seen)
