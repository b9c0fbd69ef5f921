"""Fixtures shared by every test: databases (SQLite and PostgreSQL), the app, a clock, citizens."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from hotline import create_app
from storage.db import Database
from storage.offices import load_offices, parse_offices

POSTGRES_ADMIN_URL = os.environ.get(
    "HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("HOTLINE_REQUIRE_POSTGRES", "") == "1"
AUTH_TOKEN = "test-auth-token"
PUBLIC_URL = "https://hotline.example.org"
HOTLINE = "+6282176190771"
WIB = dt.timezone(dt.timedelta(hours=7))
# Tuesday 1 December 2026, 09:00 in Palembang: an ordinary working morning.
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=WIB)


def default_office_specs():
    text = resources.files("hotline").joinpath("offices/default.toml").read_text("utf-8")
    return parse_offices(tomllib.loads(text))


# --- databases ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "hotline.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    return path


@contextlib.contextmanager
def fresh_postgres_database(prefix: str = "hotline_test") -> Iterator[str]:
    """Create an empty PostgreSQL database for the caller and drop it afterwards; yield its URL.

    Without a server this skips the test, or fails it when HOTLINE_REQUIRE_POSTGRES=1 (CI).
    """
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (HOTLINE_REQUIRE_POSTGRES=1) but unreachable: {error}")
        pytest.skip("no PostgreSQL server reachable (set HOTLINE_TEST_POSTGRES_URL)")
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run, dropped afterwards."""
    with fresh_postgres_database() as url:
        db = Database(url)
        db.migrate()
        db.dispose()
        yield url


def _truncate_postgres(url: str) -> None:
    db = Database(url)
    import storage.models  # noqa: F401
    from storage.base import Base

    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """The URL of an empty, migrated database: a SQLite file, or the run's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "hotline.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    """The database, with the default office (Palembang) loaded."""
    database = Database(database_url)
    with database.transaction() as session:
        load_offices(session, default_office_specs())
    yield database
    database.dispose()


# --- the app --------------------------------------------------------------------------------


@dataclass
class Clock:
    """The app's clock, which a test moves by hand."""

    instant: dt.datetime = field(default=START)

    def __call__(self) -> dt.datetime:
        return self.instant.astimezone(dt.UTC)

    def advance(self, **delta: float) -> None:
        self.instant += dt.timedelta(**delta)

    def set(self, instant: dt.datetime) -> None:
        self.instant = instant


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(db, clock):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db.url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_URL": PUBLIC_URL,
            "DEMO": False,
            "CLOCK": clock,
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """Return the X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


class Citizen:
    """A citizen texting the hotline through the signed webhook, as Twilio would post it."""

    def __init__(self, client, phone: str, whatsapp: bool, to: str = HOTLINE) -> None:
        self.client, self.phone, self.whatsapp, self.to = client, phone, whatsapp, to
        self.last_sid: str | None = None

    def post(self, body: str, sid: str | None = None, **extra: str):
        prefix = "whatsapp:" if self.whatsapp else ""
        self.last_sid = sid or "SM" + uuid.uuid4().hex
        form = {
            "MessageSid": self.last_sid,
            "AccountSid": "AC" + "0" * 32,
            "From": prefix + self.phone,
            "To": prefix + self.to,
            "Body": body,
            "NumMedia": "0",
            **extra,
        }
        signature = sign(PUBLIC_URL + "/twilio/inbound", form)
        return self.client.post("/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature})

    def says(self, body: str, **extra: str) -> list[str]:
        """Send a message; return the bot's replies (the bodies of the TwiML <Message>s)."""
        response = self.post(body, **extra)
        assert response.status_code == 200, response.get_data(as_text=True)
        return twiml_messages(response.get_data(as_text=True))


def twiml_messages(xml: str) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    assert root.tag == "Response"
    return [m.text or "" for m in root.iter("Message")]


@pytest.fixture
def citizen(client):
    """A citizen on WhatsApp; call citizen.other(...) for more."""
    made = Citizen(client, "+6281234567890", whatsapp=True)
    made.other = lambda phone, whatsapp=True: Citizen(client, phone, whatsapp)  # type: ignore[attr-defined]
    return made
