"""Nothing lost, nothing doubled: the webhook's connection overrides, deadline and late replies,
a killed worker, and reads that never wait for SQLite's write lock.

Twilio waits 15 s at most. The URL in the console asks it to try again on a failed connection,
a read time-out and a 5xx; the webhook stops waiting for the database by its deadline (503,
nothing stored); replies ready after Twilio may have stopped waiting go through the outbox, once.
A lock held by the test (SQLite's write lock, or a PostgreSQL table lock) makes a request wait.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from twilio.request_validator import RequestValidator

from hotline import create_app
from hotline.config import CONNECTION_OVERRIDES, TWILIO_BUDGET_SECONDS, from_environment
from hotline.twilio_out import TwilioTransport
from scheduler.delivery import deliver_due
from storage.db import Database
from storage.models import Conversation, Message
from storage.outbox import REPLY
from storage.tokens import create_token
from tests.builders import make_officer
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, sign, twiml_messages
from tests.fakes import twilio_server
from tests.fakes.twilio_server import ACCOUNT_SID
from tests.fakes.twilio_server import AUTH_TOKEN as FAKE_TWILIO_TOKEN
from tests.hotline.test_auth import sign_in

ROOT = Path(__file__).resolve().parents[2]
URL = PUBLIC_URL + "/twilio/inbound"
PHONE = "+6281234567890"
MENU = "1 PESAN"


def form(body: str = "halo", sid: str | None = None) -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": "whatsapp:" + PHONE,
        "To": "whatsapp:+6282176190771",
        "Body": body,
        "NumMedia": "0",
    }


def post(client, data: dict[str, str], url: str = URL):
    return client.post("/twilio/inbound", data=data, headers={"X-Twilio-Signature": sign(url, data)})


def make_app(db, clock, **config: Any):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db.url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_URL": PUBLIC_URL,
            "CLOCK": clock,
            **config,
        }
    )


def messages_for(db, sid: str) -> tuple[int, list[Message]]:
    """Return how many inbound messages carry the MessageSid, and the replies to it."""
    with db.transaction() as session:
        inbound = session.scalars(select(Message).where(Message.twilio_sid == sid)).all()
        replies = session.scalars(
            select(Message).where(Message.reply_to_id.in_([m.id for m in inbound])).order_by(Message.id)
        ).all()
        return len(inbound), list(replies)


def count(db, model) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


@contextlib.contextmanager
def write_lock(db, seconds: float | None = None, *, table: str = "conversations", mode: str = "EXCLUSIVE"):
    """Hold what a webhook must wait for: SQLite's write lock, or a PostgreSQL lock on `table`.

    It is taken before the block starts and let go after `seconds` (in the background) or at
    its end. Plain reads go on meanwhile on both databases.
    """
    released = threading.Event()
    if db.url.startswith("sqlite"):
        connection: Any = sqlite3.connect(db.url.split(":///", 1)[1], isolation_level=None, check_same_thread=False)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE offices SET name = name")  # a write under way, not committed
    else:
        url = db.url.replace("postgresql+psycopg://", "postgresql://")
        connection = psycopg.connect(url)
        connection.execute(f"LOCK TABLE {table} IN {mode} MODE")

    def release() -> None:
        if not released.is_set():
            released.set()
            connection.rollback()
            connection.close()

    timer = threading.Timer(seconds, release) if seconds is not None else None
    if timer is not None:
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.join()
        release()


# --- the URL Twilio is given --------------------------------------------------------------------


def test_the_readme_gives_the_webhook_url_with_the_connection_overrides_the_app_expects():
    readme = (ROOT / "README.md").read_text("utf-8")
    urls = re.findall(r"\{PUBLIC_URL\}/twilio/inbound(#[^`*\s]*)?", readme)
    assert urls and all(fragment == "#" + CONNECTION_OVERRIDES for fragment in urls), urls


def test_the_overrides_and_the_timeouts_fit_in_twilios_15_seconds():
    overrides = dict(urllib.parse.parse_qsl(CONNECTION_OVERRIDES))
    # Twilio's limits (www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).
    assert 100 <= int(overrides["ct"]) <= 10_000 and 100 <= int(overrides["rt"]) <= 15_000
    assert int(overrides["tt"]) <= TWILIO_BUDGET_SECONDS * 1000 and 1 <= int(overrides["rc"]) <= 5
    assert {"ct", "rt", "5xx"} <= set(overrides["rp"].split(",")) <= {"ct", "rt", "4xx", "5xx", "all"}
    settings = from_environment({})
    deadline, late = settings["WEBHOOK_DEADLINE_SECONDS"], settings["REPLY_LATE_SECONDS"]
    assert settings["DB_LOCK_TIMEOUT_SECONDS"] < deadline < TWILIO_BUDGET_SECONDS
    assert late * 1000 < int(overrides["rt"]) <= int(overrides["tt"])  # a reply Twilio may miss goes by outbox
    gunicorn: dict[str, Any] = {}
    exec((ROOT / "gunicorn.conf.py").read_text("utf-8"), gunicorn)
    assert gunicorn["timeout"] > deadline  # a worker is killed only when stuck past its deadline


def test_a_late_reply_setting_twilio_would_miss_is_refused():
    with pytest.raises(RuntimeError, match="HOTLINE_REPLY_LATE_SECONDS"):
        from_environment({"HOTLINE_REPLY_LATE_SECONDS": "13", "HOTLINE_CONNECTION_OVERRIDES": "rt=12000&rp=all"})


@pytest.mark.parametrize("fragment", ["#" + CONNECTION_OVERRIDES, ""])
def test_a_request_signed_for_the_url_with_or_without_its_connection_overrides_is_accepted(client, db, fragment):
    data = form()
    # Twilio's own validator computes the signature for the URL as set in the console.
    signature = RequestValidator(AUTH_TOKEN).compute_signature(URL + fragment, data)
    response = client.post("/twilio/inbound", data=data, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert MENU in twiml_messages(response.get_data(as_text=True))[0]


@pytest.mark.parametrize("fragment", ["#rc=5&rp=all", "#" + CONNECTION_OVERRIDES + "&sni=y", "#"])
def test_a_signature_for_other_overrides_is_refused(client, db, fragment):
    response = post(client, form(), url=URL + fragment)
    assert response.status_code == 403
    assert count(db, Message) == 0


def test_other_overrides_are_accepted_once_configured(db, clock):
    overrides = "ct=2000&rt=14000&rc=5&rp=all"
    app = make_app(db, clock, CONNECTION_OVERRIDES=overrides)
    assert post(app.test_client(), form(), url=f"{URL}#{overrides}").status_code == 200


# --- the deadline -------------------------------------------------------------------------------


def test_a_webhook_waiting_for_the_database_gives_up_by_its_deadline_and_stores_nothing(db, clock):
    app = make_app(db, clock, WEBHOOK_DEADLINE_SECONDS=1.0, DB_LOCK_TIMEOUT_SECONDS=0.3)
    client = app.test_client()
    data = form()
    with write_lock(db):
        started = time.monotonic()
        response = post(client, data)
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert 0.9 <= waited < 2.5  # lock waits of 0.3 s, tried again, until the deadline: not 30 s
    assert count(db, Message) == 0 and count(db, Conversation) == 0
    # Twilio delivers it again (rp=5xx): handled as the first delivery.
    again = post(client, data)
    assert again.status_code == 200 and MENU in twiml_messages(again.get_data(as_text=True))[0]
    inbound, replies = messages_for(db, data["MessageSid"])
    assert inbound == 1 and len(replies) == 1


def test_a_short_wait_inside_the_deadline_is_answered_in_twiml(db, clock):
    app = make_app(db, clock, WEBHOOK_DEADLINE_SECONDS=5.0, DB_LOCK_TIMEOUT_SECONDS=0.2)
    with write_lock(db, seconds=0.5):
        response = post(app.test_client(), form())
    assert response.status_code == 200 and MENU in twiml_messages(response.get_data(as_text=True))[0]


# --- late replies -------------------------------------------------------------------------------


@pytest.fixture
def fake():
    server = twilio_server.start()
    yield server
    twilio_server.stop(server)


def deliver(db, clock, fake) -> int:
    transport = TwilioTransport(ACCOUNT_SID, FAKE_TWILIO_TOKEN, api_url=fake.url, timeout=5)
    return deliver_due(db, clock(), transport, public_url=PUBLIC_URL)


def late_app(db, clock):
    # Replies later than 0.2 s are "late" here (10 s in production): a 0.6 s lock wait makes one.
    return make_app(db, clock, WEBHOOK_DEADLINE_SECONDS=5.0, DB_LOCK_TIMEOUT_SECONDS=2.0, REPLY_LATE_SECONDS=0.2)


def test_a_reply_committed_after_twilio_stopped_waiting_reaches_the_citizen_once(db, clock, fake):
    client = late_app(db, clock).test_client()
    data = form()
    with write_lock(db, seconds=0.6):
        response = post(client, data)
    assert response.status_code == 200
    assert twiml_messages(response.get_data(as_text=True)) == []  # nothing in TwiML: Twilio may be gone
    inbound, replies = messages_for(db, data["MessageSid"])
    assert inbound == 1 and len(replies) == 1
    assert (replies[0].kind, replies[0].delivery, replies[0].dedupe_key) == (
        REPLY,
        "pending",
        f"reply:{data['MessageSid']}:0",
    )
    # Twilio read-timed out and delivers the message again, in time now: still no TwiML reply.
    again = post(client, data)
    assert again.status_code == 200 and twiml_messages(again.get_data(as_text=True)) == []
    assert deliver(db, clock, fake) == 1
    assert deliver(db, clock, fake) == 0
    assert twiml_messages(post(client, data).get_data(as_text=True)) == []
    sent = fake.bodies_to(PHONE)
    assert len(sent) == 1 and MENU in sent[0]
    assert fake.accepted[0]["To"] == "whatsapp:" + PHONE
    assert messages_for(db, data["MessageSid"])[1][0].delivery == "sent"
    assert count(db, Message) == 2  # one in, one out, whatever was delivered again


def test_a_retry_that_comes_late_sends_the_first_answer_through_the_outbox_once(db, clock, fake):
    app = make_app(db, clock)
    client = app.test_client()
    data = form()
    first = twiml_messages(post(client, data).get_data(as_text=True))
    assert MENU in first[0]
    # Twilio never got that answer (it delivers again only then), and the retry is late too.
    app.config["REPLY_LATE_SECONDS"] = 0
    again = post(client, data)
    assert again.status_code == 200 and twiml_messages(again.get_data(as_text=True)) == []
    inbound, replies = messages_for(db, data["MessageSid"])
    assert inbound == 1 and [r.body for r in replies] == first  # moved to the outbox, not copied
    assert replies[0].delivery == "pending"
    assert deliver(db, clock, fake) == 1
    assert fake.bodies_to(PHONE) == first
    assert twiml_messages(post(client, data).get_data(as_text=True)) == []


def test_a_retried_message_sid_answered_in_time_gets_the_same_twiml_again(client, db):
    data = form()
    first = post(client, data).get_data(as_text=True)
    assert post(client, data).get_data(as_text=True) == first
    assert messages_for(db, data["MessageSid"])[1][0].delivery is None  # a TwiML reply, not queued


# --- reads and SQLite's write lock --------------------------------------------------------------


def test_read_only_requests_answer_while_another_connection_holds_the_write_lock(db, client, citizen, clock):
    # SQLite's write lock is the point; on PostgreSQL reads never wait for a writer anyway.
    citizen.says("halo")
    citizen.says("PETUGAS")
    with db.transaction() as session:
        token = create_token(session, "dashboard", clock())
        conversation_id = session.scalar(select(Conversation.id))
    make_officer(db)
    assert sign_in(client).status_code == 302
    client.get(f"/inbox/{conversation_id}")  # read up to here: the poll below has nothing to mark
    api = {"Authorization": f"Bearer {token}"}
    reads = [
        ("/healthz", {}),
        ("/api/v1/offices", api),
        ("/api/v1/availability?office=PLG", api),
        ("/api/v1/bookings?office=PLG&date=2026-12-02", api),
        ("/inbox/updates.json", {}),
        (f"/inbox/{conversation_id}/updates.json", {}),
        ("/inbox", {}),
        ("/bookings", {}),
        ("/", {}),
    ]
    with write_lock(db):  # held for the whole block: a write would wait (3 s lock timeout), then fail
        for path, headers in reads:
            started = time.monotonic()
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            assert time.monotonic() - started < 1.0, path
        if db.url.startswith("sqlite"):
            writer = Database(db.url, lock_timeout=0.2)
            with pytest.raises(OperationalError, match="locked"), writer.transaction() as session:
                session.execute(select(1))  # a writer, by contrast, waits and gives up
            writer.dispose()


# --- a worker killed mid-request ----------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def serving(pid: int) -> bool:
    """Tell whether the process holds an established TCP connection: a request it has accepted."""
    links = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            links.append(os.readlink(fd))
    inodes = {link[len("socket:[") : -1] for link in links if link.startswith("socket:")}
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
                return True
    return False


def http_post(url: str, data: dict[str, str], timeout: float = 30) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, headers={"X-Twilio-Signature": sign(URL, data)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until(check, timeout: float = 20, every: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(every)
    return False


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def gunicorn(db, tmp_path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_URL": PUBLIC_URL,
        "HOTLINE_DEMO": "",
        "SECRET_KEY": "test-secret-key",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: healthy(base)), (tmp_path / "gunicorn.log").read_text()
        yield base, server
    finally:
        server.terminate()
        server.wait(20)
        log.close()


def blocked_on_a_lock(db) -> bool:
    url = db.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO messages%%'"
        ).fetchone()
    return bool(row and row[0])


@pytest.mark.slow
def test_a_worker_killed_mid_request_loses_nothing_and_the_retried_delivery_is_answered_once(db, tmp_path):
    data = form()
    with gunicorn(db, tmp_path) as (base, server):
        [worker] = children(server.pid)
        outcome: dict[str, Any] = {}

        def deliver_as_twilio() -> None:
            try:
                outcome["answer"] = http_post(base + "/twilio/inbound", data)
            except OSError as error:  # the connection dies with the worker
                outcome["error"] = error

        # SQLite: the worker waits for the write lock. PostgreSQL: it waits inside its transaction,
        # the conversation stored, its INSERT of the message blocked by the lock the test holds.
        with write_lock(db, table="messages", mode="SHARE"):
            twilio = threading.Thread(target=deliver_as_twilio)
            twilio.start()
            if db.url.startswith("sqlite"):
                assert wait_until(lambda: serving(worker), timeout=5)  # the worker took the request
                time.sleep(0.5)  # and waits for SQLite's write lock (3 s at a time, until its deadline)
            else:
                assert wait_until(lambda: blocked_on_a_lock(db), timeout=5)
            assert twilio.is_alive()  # still waiting: mid-request
            os.kill(worker, signal.SIGKILL)
            twilio.join(10)
        assert "error" in outcome or outcome["answer"][0] >= 500, outcome
        assert wait_until(lambda: healthy(base) and children(server.pid) not in ([], [worker]))
        assert count(db, Message) == 0  # the killed transaction never committed
        # Twilio delivers it again (rp=ct,rt,5xx): processed once, answered once.
        status, body = http_post(base + "/twilio/inbound", data)
        assert status == 200 and MENU in twiml_messages(body)[0]
        assert http_post(base + "/twilio/inbound", data) == (status, body)
    inbound, replies = messages_for(db, data["MessageSid"])
    assert inbound == 1 and len(replies) == 1
    assert count(db, Conversation) == 1
