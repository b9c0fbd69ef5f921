"""The engine, sessions and transactions, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Connection, CursorResult, Engine, Result, bindparam, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long a SQLite transaction waits for the write lock when the Database is given no lock
# timeout (the app gives it HOTLINE_DB_LOCK_TIMEOUT_SECONDS, a few seconds: inside Twilio's 15 s).
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The shortest wait an attempt gets, even at its deadline (PostgreSQL reads 0 as "forever").
MIN_WAIT_MS = 50

# Execution options the engine's "begin" listeners read (set on the engine a session is bound to).
READ_ONLY = "hotline_read_only"  # a transaction that only reads: no write lock on SQLite
LOCK_TIMEOUT_MS = "hotline_lock_timeout_ms"  # this transaction's lock wait, in place of the default
STATEMENT_TIMEOUT_MS = "hotline_statement_timeout_ms"  # PostgreSQL: the longest a statement may run
# A transaction whose commit need not wait for the disk (what it writes may be lost in a power
# cut, nothing else): SQLite's synchronous=NORMAL, PostgreSQL's synchronous_commit=off.
NOT_DURABLE = "hotline_not_durable"


def make_engine(url: str, lock_timeout_ms: int | None = None) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for every transaction that writes.

    lock_timeout_ms: how long a transaction waits for a lock (None: SQLite 30 s, PostgreSQL's own setting).
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, SQLITE_BUSY_TIMEOUT_MS if lock_timeout_ms is None else lock_timeout_ms)
    return _postgres_engine(url, lock_timeout_ms)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error's message (logged) must not carry citizens' numbers or messages.
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        record.info["busy_timeout"], record.info["query_only"] = busy_timeout_ms, False

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        info = connection.connection.info  # this SQLite connection's settings, kept across checkouts
        read_only = bool(options.get(READ_ONLY))
        if info.get("query_only") != read_only:
            # A read that tries to write fails at once instead of queueing for the write lock.
            connection.exec_driver_sql(f"PRAGMA query_only={'ON' if read_only else 'OFF'}")
            info["query_only"] = read_only
        if read_only:
            # WAL: a deferred transaction reads its snapshot while another connection writes.
            connection.exec_driver_sql("BEGIN")
            return
        wait = options.get(LOCK_TIMEOUT_MS, busy_timeout_ms)
        if info.get("busy_timeout") != wait:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")
            info["busy_timeout"] = wait
        synchronous = "NORMAL" if options.get(NOT_DURABLE) else "FULL"
        if info.get("synchronous") != synchronous:
            connection.exec_driver_sql(f"PRAGMA synchronous={synchronous}")
            info["synchronous"] = synchronous
        # Every transaction that may write takes the write lock up front, so a read-count-then-write
        # (capacity, limits, the conversation's state) cannot interleave with another writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: str, lock_timeout_ms: int | None) -> Engine:
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)  # (see _sqlite_engine)
    if lock_timeout_ms is not None:

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
            dbapi_connection.autocommit = autocommit

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if LOCK_TIMEOUT_MS in options:
            # For this transaction only (is_local): an attempt bounded by its request's deadline.
            connection.exec_driver_sql(
                "SELECT set_config('lock_timeout', %(lock)s, true),"
                " set_config('statement_timeout', %(statement)s, true)",
                {"lock": f"{int(options[LOCK_TIMEOUT_MS])}ms", "statement": f"{int(options[STATEMENT_TIMEOUT_MS])}ms"},
            )
        if options.get(NOT_DURABLE):
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

    return engine


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, lock_timeout: float | None = None) -> None:
        """lock_timeout: the seconds a transaction waits for a lock (None: SQLite 30 s, PostgreSQL's setting)."""
        self.url = url
        self.lock_timeout_ms = None if lock_timeout is None else max(MIN_WAIT_MS, round(lock_timeout * 1000))
        self.engine = make_engine(url, self.lock_timeout_ms)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        read_options: dict[str, Any] = {READ_ONLY: True}
        if self.engine.dialect.name == "postgresql":
            read_options["postgresql_readonly"] = True  # BEGIN READ ONLY: a write is an error
        self._read_engine = self.engine.execution_options(**read_options)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """Open a session in one transaction: commit on success, roll back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """Open a session in one read-only transaction, which never waits for a writer.

        On SQLite it takes no write lock (WAL lets it read while another connection writes); on
        both databases a write inside it is an error.
        """
        with self.sessions(bind=self._read_engine) as session, session.begin():
            yield session

    def run(
        self,
        work: Callable[[Session], T],
        attempts: int = 3,
        deadline: float | None = None,
        *,
        durable: bool = True,
    ) -> T:
        """Run work(session) in one transaction, again from the start after a deadlock or lock time-out.

        The work must do nothing outside the database, so that running it again is safe.
        With a deadline (a time.monotonic() value) it is tried until the deadline instead of
        `attempts` times, and no attempt waits for a lock (nor, on PostgreSQL, runs a statement)
        past it; the first attempt is made even when the deadline has passed.
        durable=False: the commit does not wait for the disk (see NOT_DURABLE), for what a power
        cut may lose (the send rate's bookkeeping), never for citizens' data.
        Raises the last OperationalError when every attempt failed.
        """
        for attempt in itertools.count(1):
            try:
                with self._session_until(deadline, durable) as session, session.begin():
                    return work(session)
            except OperationalError as error:
                left = None if deadline is None else deadline - time.monotonic()
                if not is_transient(error) or (attempt >= attempts if left is None else left <= 0):
                    raise
                log.warning("transaction retried after a transient database error (attempt %d)", attempt)
                time.sleep(min(0.05 * attempt, left) if left is not None else 0.05 * attempt)
        raise AssertionError("unreachable")

    def _session_until(self, deadline: float | None, durable: bool = True) -> Session:
        """Return a session whose transaction waits for locks no longer than the deadline allows."""
        options: dict[str, Any] = {} if durable else {NOT_DURABLE: True}
        if deadline is not None:
            left_ms = max(MIN_WAIT_MS, round((deadline - time.monotonic()) * 1000))
            default_ms = SQLITE_BUSY_TIMEOUT_MS if self.lock_timeout_ms is None else self.lock_timeout_ms
            options.update({LOCK_TIMEOUT_MS: min(default_ms, left_ms), STATEMENT_TIMEOUT_MS: left_ms})
        if not options:
            return self.sessions()
        return self.sessions(bind=self.engine.execution_options(**options))

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
    returning: Any = None,
) -> Any:
    """Insert a row in one statement; on a unique conflict (on key, when given) leave the row
    there as it is, or, given key (the unique columns) and update, set what update(excluded) returns.

    `excluded` is the row that was not inserted (INSERT … ON CONFLICT, on SQLite and PostgreSQL
    alike). With `returning` (a column), return its value in the row inserted or updated, or
    None when nothing was.
    """
    dialect = session.get_bind().dialect.name
    # The statement is built once per shape, with the values as parameters (constructing it costs
    # about as much as running it), unless `update` closes over something of this call.
    shape = None
    if update is None or update.__closure__ is None:
        code = None if update is None else update.__code__
        shape = (dialect, model, tuple(values), tuple(key or ()), code, returning)
    statement = _UPSERTS.get(shape) if shape is not None else None
    if statement is None:
        columns = values if shape is None else {name: bindparam(name) for name in values}
        # Into the table, a Core statement, unless it returns the ORM object: the ORM's insert
        # costs several times as much.
        target = model if isinstance(returning, type) else model.__table__
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(target).values(**columns)
        index = None if key is None else [getattr(column, "key", column) for column in key]
        if update is None:
            statement = insert.on_conflict_do_nothing(index_elements=index)
        else:
            statement = insert.on_conflict_do_update(index_elements=index, set_=update(insert.excluded))
        if returning is not None:
            statement = statement.returning(returning)
        if shape is not None:
            _UPSERTS[shape] = statement
    parameters = dict(values) if shape is not None else None
    if returning is None:
        session.execute(statement, parameters)
        return None
    return session.scalar(statement, parameters)


_UPSERTS: dict[tuple[Any, ...], Any] = {}  # upsert's statements, by shape


def default_sqlite_url(instance_path: str | os.PathLike[str]) -> str:
    """Return the URL of the default SQLite file under the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'hotline.db'}"
