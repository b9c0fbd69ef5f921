"""Officers: accounts, passwords, offices served, and sign-in throttling decided in the database."""

from __future__ import annotations

import datetime as dt
import threading
import tomllib

import pytest
from sqlalchemy import select

from storage.models import LoginAttempt, Office
from storage.officers import (
    OfficerError,
    OfficerExists,
    ThrottlePolicy,
    create_officer,
    mark_attempt_succeeded,
    office_clause,
    office_ids,
    officer_by_username,
    offices_served,
    record_attempt,
    sign_in_refused_until,
    update_officer,
    verify_password,
)
from storage.offices import load_offices, parse_offices
from tests.conftest import START
from tests.hotline.test_auth import JKT as OTHER_OFFICE

PASSWORD = "kata-sandi-rahasia"
POLICY = ThrottlePolicy(failures_per_username=5, failures_per_address=5, window=dt.timedelta(minutes=15))


def add_other_office(db) -> None:
    with db.transaction() as session:
        load_offices(session, parse_offices(tomllib.loads(OTHER_OFFICE)))


def office_id(db, code: str) -> int:
    with db.transaction() as session:
        return session.scalar(select(Office.id).where(Office.code == code))


def make(db, username="budi", role="officer", offices=("PLG",), password=PASSWORD, **kwargs):
    with db.transaction() as session:
        return create_officer(session, username, password, role, offices, START, **kwargs)


# --- accounts -----------------------------------------------------------------------------------


def test_a_password_is_stored_only_as_a_scrypt_hash_and_checked(db):
    make(db)
    with db.transaction() as session:
        officer = officer_by_username(session, "budi")
        assert officer.password_hash.startswith("scrypt:32768:8:1$")
        assert PASSWORD not in officer.password_hash
        assert (officer.role, officer.active, officer.language) == ("officer", True, "id")
        assert verify_password(session, "budi", PASSWORD).id == officer.id
        assert verify_password(session, " BUDI ", PASSWORD).id == officer.id  # usernames ignore case
        assert verify_password(session, "budi", PASSWORD.upper()) is None
        assert verify_password(session, "budi", "") is None
        assert verify_password(session, "nobody", PASSWORD) is None


def test_two_officers_with_one_password_get_different_hashes(db):
    first, second = make(db, "budi"), make(db, "ani")
    assert first.password_hash != second.password_hash  # salted


def test_an_inactive_officer_cannot_sign_in(db):
    make(db)
    with db.transaction() as session:
        update_officer(session, "budi", active=False)
    with db.transaction() as session:
        assert verify_password(session, "budi", PASSWORD) is None


@pytest.mark.parametrize(
    "change, words",
    [
        ({"username": "x"}, "2-64 characters"),
        ({"username": "budi santoso"}, "2-64 characters"),
        ({"password": "short"}, "at least 10 characters"),
        ({"offices": ("XYZ",)}, "unknown office code XYZ (known: PLG)"),
        ({"offices": ()}, "must serve at least one office"),
        ({"role": "admin"}, "an admin serves every office"),
        ({"role": "chief"}, "the role must be one of officer, supervisor, admin"),
        ({"language": "fr"}, "the language must be one of id, en"),
    ],
)
def test_a_bad_officer_is_refused_with_the_reason(db, change, words):
    with pytest.raises(OfficerError, match=words.replace("(", r"\(").replace(")", r"\)")):
        make(db, **change)
    with db.transaction() as session:
        assert officer_by_username(session, change.get("username", "budi")) is None


def test_a_username_is_taken_once_whatever_its_case(db):
    make(db, "budi")
    with pytest.raises(OfficerExists, match="officer 'budi' already exists"):
        make(db, "Budi")


def test_offices_served_by_role(db):
    add_other_office(db)
    plg, jkt = office_id(db, "PLG"), office_id(db, "JKT")
    make(db, "budi", "officer", ("PLG",))
    make(db, "sari", "supervisor", ("plg", "JKT"))
    make(db, "admin", "admin", ())
    with db.transaction() as session:
        assert office_ids(session, officer_by_username(session, "budi")) == {plg}
        assert office_ids(session, officer_by_username(session, "sari")) == {plg, jkt}
        admin = officer_by_username(session, "admin")
        assert office_ids(session, admin) is None
        assert [o.code for o in offices_served(session, admin)] == ["JKT", "PLG"]
        assert [o.code for o in offices_served(session, officer_by_username(session, "budi"))] == ["PLG"]


def test_update_changes_only_what_is_given(db):
    add_other_office(db)
    jkt = office_id(db, "JKT")
    make(db)
    with db.transaction() as session:
        update_officer(session, "budi", office_codes=["JKT"], language="en")
    with db.transaction() as session:
        officer = officer_by_username(session, "budi")
        assert office_ids(session, officer) == {jkt}
        assert officer.language == "en" and verify_password(session, "budi", PASSWORD) is not None
        update_officer(session, "budi", password="a-new-password")
    with db.transaction() as session:
        assert verify_password(session, "budi", PASSWORD) is None
        assert verify_password(session, "budi", "a-new-password") is not None
        officer = update_officer(session, "budi", role="admin")  # an admin keeps no office list
        assert office_ids(session, officer) is None
    with db.transaction() as session:
        with pytest.raises(OfficerError, match="must serve at least one office"):
            update_officer(session, "budi", role="officer")
        with pytest.raises(OfficerError, match="no officer 'nobody'"):
            update_officer(session, "nobody", role="officer")


def test_office_clause_keeps_the_officers_offices_only(db):
    add_other_office(db)
    plg = office_id(db, "PLG")
    with db.transaction() as session:
        codes = lambda ids: sorted(session.scalars(select(Office.code).where(office_clause(Office.id, ids))))  # noqa: E731
        assert codes(None) == ["JKT", "PLG"]
        assert codes({plg}) == ["PLG"]
        assert codes(set()) == []


# --- throttling ---------------------------------------------------------------------------------


def attempt(db, username="budi", address="10.0.0.1", at=START, succeeded=False) -> dt.datetime | None:
    """Try to sign in as the view does: refused (return until when), or recorded."""
    with db.transaction() as session:
        until = sign_in_refused_until(session, username, address, at, POLICY)
        if until is None:
            attempt_id = record_attempt(session, username, address, at)
            if succeeded:
                mark_attempt_succeeded(session, attempt_id)
        return until


def test_five_failures_for_a_username_refuse_it_until_the_first_leaves_the_window(db):
    for minute in range(5):
        assert attempt(db, at=START + dt.timedelta(minutes=minute), address=f"10.0.0.{minute}") is None
    later = START + dt.timedelta(minutes=6)
    assert attempt(db, at=later, address="10.9.9.9") == START + dt.timedelta(minutes=15)
    # Refused attempts are not recorded: hammering does not lengthen the wait.
    assert attempt(db, at=later, address="10.9.9.9") == START + dt.timedelta(minutes=15)
    with db.transaction() as session:
        assert len(session.scalars(select(LoginAttempt)).all()) == 5
    # Then the oldest failure has left the window: one more try, and again refused till the next leaves.
    assert attempt(db, at=START + dt.timedelta(minutes=15)) is None
    assert attempt(db, at=START + dt.timedelta(minutes=15)) == START + dt.timedelta(minutes=16)


def test_username_throttling_ignores_case_and_other_usernames(db):
    for _ in range(4):
        attempt(db, "Budi", address="10.0.0.1")
    assert attempt(db, "ani", address="10.0.0.2") is None
    assert attempt(db, "BUDI", address="10.0.0.3") is None  # the fifth failure
    assert attempt(db, "budi", address="10.0.0.4") is not None
    assert attempt(db, "ani", address="10.0.0.5") is None


def test_a_success_clears_the_usernames_failures(db):
    for _ in range(4):
        attempt(db)
    attempt(db, address="10.0.0.2", succeeded=True)
    for _ in range(4):
        assert attempt(db, address="10.0.0.3") is None
    assert attempt(db, address="10.0.0.4") is None  # the fifth since the success
    assert attempt(db, address="10.0.0.4") is not None


def test_five_failures_from_an_address_refuse_it_for_every_username(db):
    for number in range(5):
        attempt(db, f"officer{number}", address="10.0.0.9")
    until = attempt(db, "someone-else", address="10.0.0.9")
    assert until == START + dt.timedelta(minutes=15)
    assert attempt(db, "someone-else", address="10.0.0.10") is None
    assert attempt(db, "officer0", address="10.0.0.9", at=START + dt.timedelta(minutes=15)) is None


def test_the_limits_come_from_the_policy(db):
    strict = ThrottlePolicy(failures_per_username=2, failures_per_address=100, window=dt.timedelta(minutes=1))
    with db.transaction() as session:
        for _ in range(2):
            assert sign_in_refused_until(session, "budi", "a", START, strict) is None
            record_attempt(session, "budi", "a", START)
        assert sign_in_refused_until(session, "budi", "a", START, strict) == START + dt.timedelta(minutes=1)


def test_parallel_guesses_cannot_slip_past_the_count(db):
    """Twelve sign-ins at once for one username: only five are let through to the password check."""
    threads, allowed, errors = [], [], []
    barrier = threading.Barrier(12)

    def guess(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            if attempt(db, "budi", address=f"10.1.0.{number}") is None:
                allowed.append(number)
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)

    for number in range(12):
        threads.append(threading.Thread(target=guess, args=(number,)))
        threads[-1].start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(allowed) == 5
