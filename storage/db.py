"""The engine, sessions and transactions, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE transactions."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Every transaction takes the write lock up front, so a read-count-then-write
        # (capacity, limits, the conversation's state) cannot interleave with another writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """Open a session in one transaction: commit on success, roll back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def run(self, work: Callable[[Session], T], attempts: int = 3) -> T:
        """Run work(session) in one transaction, again from the start after a deadlock or lock time-out.

        The work must do nothing outside the database, so that running it again is safe.
        Raises the last OperationalError when every attempt failed.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as session:
                    return work(session)
            except OperationalError as error:
                if attempt == attempts or not is_transient(error):
                    raise
                log.warning("transaction retried after a transient database error (attempt %d)", attempt)
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        from storage.migrate import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def is_transient(error: OperationalError) -> bool:
    """Tell whether running the transaction again may succeed (deadlock, lock time-out, busy)."""
    code = getattr(error.orig, "sqlstate", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    return "database is locked" in str(error.orig)


def rows_changed(result: Result[Any]) -> int:
    """Return how many rows an UPDATE or DELETE statement changed."""
    return cast("CursorResult[Any]", result).rowcount


def upsert(
    session: Session,
    model: type[Any],
    values: Mapping[str, Any],
    *,
    key: Sequence[Any] | None = None,
    update: Callable[[Any], Mapping[str, ColumnElement[Any]]] | None = None,
) -> None:
    """Insert a row in one statement; on a unique conflict leave the row there as it is, or,
    given key (the unique columns) and update, set what update(excluded) returns.

    `excluded` is the row that was not inserted (INSERT … ON CONFLICT, on SQLite and PostgreSQL alike).
    """
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model).values(**values)
    if update is None:
        session.execute(statement.on_conflict_do_nothing())
    else:
        session.execute(statement.on_conflict_do_update(index_elements=key, set_=update(statement.excluded)))


def default_sqlite_url(instance_path: str | os.PathLike[str]) -> str:
    """Return the URL of the default SQLite file under the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'hotline.db'}"
