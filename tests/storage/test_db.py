"""Database: one transaction retried after a transient error only, within its deadline; lock waits; reads."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from storage.db import Database
from storage.models import ApiToken
from storage.tokens import create_token
from tests.conftest import START


def test_run_retries_a_transient_error_and_keeps_only_the_last_attempt(db):
    calls = []

    def work(session):
        calls.append(1)
        create_token(session, f"attempt {len(calls)}", START)
        if len(calls) == 1:
            raise OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))
        return "done"

    assert db.run(work) == "done"
    assert len(calls) == 2
    with db.transaction() as session:
        assert session.scalars(select(ApiToken.name)).all() == ["attempt 2"]


def test_run_does_not_retry_an_error_that_would_repeat(db):
    calls = []

    def work(session):
        calls.append(1)
        raise OperationalError("SELECT …", {}, sqlite3.OperationalError("no such table: nothing"))

    with pytest.raises(OperationalError):
        db.run(work)
    assert len(calls) == 1


def test_sqlite_file_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    database.dispose()


def test_run_with_a_deadline_tries_again_until_the_deadline_not_a_number_of_times(db):
    calls = []

    def work(session):
        calls.append(time.monotonic())
        raise OperationalError("UPDATE …", {}, sqlite3.OperationalError("database is locked"))

    started = time.monotonic()
    with pytest.raises(OperationalError):
        db.run(work, attempts=1, deadline=started + 0.5)
    assert len(calls) > 3  # attempts=1 does not count with a deadline
    assert 0.5 <= time.monotonic() - started < 0.7  # and nothing runs past it


def test_run_makes_one_attempt_even_past_its_deadline(db):
    assert db.run(lambda session: "done", deadline=time.monotonic() - 1) == "done"


@pytest.mark.parametrize(("lock_timeout", "deadline_in"), [(0.3, None), (5.0, 0.3)])
def test_a_transaction_waits_for_a_lock_no_longer_than_its_lock_timeout_or_its_deadline(
    database_url, lock_timeout, deadline_in
):
    database, blocker = Database(database_url, lock_timeout=lock_timeout), Database(database_url)
    postgres = database.engine.dialect.name == "postgresql"
    try:
        with blocker.transaction() as holding:
            # SQLite: BEGIN IMMEDIATE holds the write lock; PostgreSQL: a lock on the table.
            holding.execute(text("LOCK TABLE api_tokens IN EXCLUSIVE MODE") if postgres else select(1))
            started = time.monotonic()
            deadline = None if deadline_in is None else started + deadline_in
            with pytest.raises(OperationalError):
                database.run(lambda session: session.execute(select(ApiToken).with_for_update()).all(), 1, deadline)
            assert 0.25 <= time.monotonic() - started < 1.0
    finally:
        database.dispose()
        blocker.dispose()


def test_a_read_only_transaction_refuses_to_write(db):
    with pytest.raises(DBAPIError, match="read"), db.reading() as session:
        create_token(session, "written in a read", START)
        session.flush()


def test_a_read_only_transaction_reads_while_another_connection_writes(database_url):
    database = Database(database_url, lock_timeout=0.2)
    try:
        with database.transaction() as writing:
            create_token(writing, "not committed", START)
            writing.flush()
            started = time.monotonic()
            with database.reading() as session:
                assert session.scalars(select(ApiToken.name)).all() == []  # its snapshot: nothing uncommitted
            assert time.monotonic() - started < 0.2
    finally:
        database.dispose()
