"""Database.run: one transaction, retried from the start after a transient error only."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

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
