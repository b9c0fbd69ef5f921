"""Outbound delivery: queued messages reach Twilio once, through outages, windows and crashes.

The real twilio client talks over HTTP to the fake Twilio in tests/fakes/twilio_server.py; the
sweep is scheduler.delivery.deliver_due on SQLite and PostgreSQL. Concurrent and killed
deliverers are real OS processes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import io
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, update

from conversations.state import State
from hotline.config import from_environment
from hotline.twilio_out import ConsoleTransport, TransportNotConfigured, TwilioTransport, transport_from_config
from scheduler import delivery
from scheduler.delivery import LEASE, SLOT_HORIZON, backoff, content_variables, deliver_due, placeholder_order
from scheduler.transport import SendError
from storage.conversations import lock_conversation
from storage.db import Database
from storage.models import Conversation, Message, Office, SendSlot
from storage.outbox import UNANSWERED_SECONDS, enqueue, finish_send_turn, opt_out, take_send_turn
from tests.conftest import HOTLINE, PUBLIC_URL, START
from tests.fakes import twilio_server
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, Failure, FakeTwilio, Hang

NOW = START.astimezone(dt.UTC)
PHONE = "+6281234567890"
SMS_SENDER = "+6281100001111"
REMINDER_SID = "HX" + "a" * 32
REMINDER_SID_EN = "HX" + "b" * 32
CALLBACK = PUBLIC_URL + "/twilio/status"
ROOT = Path(__file__).resolve().parents[2]


# --- fixtures and builders ----------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    server = twilio_server.start()
    yield server
    twilio_server.stop(server)


@pytest.fixture
def transport(fake) -> TwilioTransport:
    return TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, api_url=fake.url, timeout=5)


def citizen(
    db: Database,
    phone: str = PHONE,
    *,
    channel: str = "whatsapp",
    last_inbound: dt.timedelta | None = dt.timedelta(hours=1),
    language: str = "id",
) -> int:
    """Create a conversation whose last message came `last_inbound` before NOW; return its id."""
    with db.transaction() as session:
        office = session.scalar(select(Office).where(Office.code == "PLG"))
        conversation = lock_conversation(session, office, phone, channel, NOW)
        conversation.language = language
        conversation.state = State(lang=language).to_json()
        conversation.last_inbound_at = NOW - last_inbound if last_inbound is not None else None
        return conversation.id


def office(db: Database, *, sms_sender: str | None = None, templates: dict | None = None) -> None:
    with db.transaction() as session:
        session.execute(
            update(Office).where(Office.code == "PLG").values(sms_sender=sms_sender, whatsapp_templates=templates or {})
        )


def queue(
    db: Database,
    conversation_id: int,
    *,
    message_id: str = "kept",
    params: dict | None = None,
    kind: str = "reminder",
    body: str | None = None,
    at: dt.datetime = NOW,
) -> int:
    """Queue a message with the real outbox service; return its id."""
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        message = enqueue(
            session,
            conversation,
            kind=kind,
            message_id=message_id,
            params=params if params is not None else {"code": "PLG-7K2Q"},
            now=at,
            body=body,
        )
        session.flush()
        return message.id


def row(db: Database, message_id: int) -> Message:
    with db.transaction() as session:
        return session.get(Message, message_id)


def conversation(db: Database, conversation_id: int) -> Conversation:
    with db.transaction() as session:
        return session.get(Conversation, conversation_id)


def deliver(db: Database, transport, now: dt.datetime = NOW, **options) -> int:
    return deliver_due(db, now, transport, public_url=PUBLIC_URL, **options)


# --- sending ------------------------------------------------------------------------------------


def test_a_queued_message_is_sent_once_with_addresses_body_and_status_callback(db, fake, transport):
    message_id = queue(db, citizen(db), params={"code": "PLG-7K2Q"})

    assert deliver(db, transport) == 1
    assert deliver(db, transport, NOW + dt.timedelta(hours=2)) == 0

    [sent] = fake.accepted
    assert sent["To"] == "whatsapp:" + PHONE
    assert sent["From"] == "whatsapp:" + HOTLINE
    assert sent["Body"] == "Baik, booking PLG-7K2Q tetap berlaku."
    assert sent["StatusCallback"] == CALLBACK
    assert "ContentSid" not in sent
    stored = row(db, message_id)
    assert (stored.delivery, stored.twilio_sid, stored.status, stored.sent_via, stored.channel) == (
        "sent",
        sent["sid"],
        "queued",
        "whatsapp",
        "whatsapp",
    )
    assert stored.attempts == 1 and stored.claimed_until is None and stored.error_code is None
    assert NOW <= stored.sent_at < NOW + dt.timedelta(seconds=5)
    # What Twilio itself lists for the number, read with the real client.
    assert [m.sid for m in transport.client.messages.list(to="whatsapp:" + PHONE)] == [stored.twilio_sid]


def test_no_status_callback_without_a_public_url(db, fake, transport):
    queue(db, citizen(db))
    assert deliver_due(db, NOW, transport, public_url=None) == 1
    assert "StatusCallback" not in fake.accepted[0]


def test_a_message_not_yet_due_waits(db, fake, transport):
    message_id = queue(db, citizen(db), at=NOW + dt.timedelta(minutes=10))
    assert deliver(db, transport) == 0
    assert row(db, message_id).delivery == "pending" and fake.attempts == 0
    assert deliver(db, transport, NOW + dt.timedelta(minutes=10)) == 1


def test_an_sms_conversation_is_answered_by_sms_from_the_hotline_in_gsm7(db, fake, transport):
    office(db, sms_sender=SMS_SENDER)
    message_id = queue(db, citizen(db, "+447700900123", channel="sms"), body="Sampai besok 👋 – petugas")

    assert deliver(db, transport) == 1
    [sent] = fake.accepted
    assert (sent["To"], sent["From"], sent["Body"]) == ("+447700900123", HOTLINE, "Sampai besok ? - petugas")
    assert row(db, message_id).sent_via == "sms"


# --- Twilio refuses or is away ------------------------------------------------------------------


def test_an_outage_ends_with_every_message_sent_once_after_growing_backoff(db, fake, transport):
    conversation_id = citizen(db)
    ids = [queue(db, conversation_id, message_id="kept", params={"code": f"PLG-000{n}"}) for n in range(3)]
    delays: dict[int, list[float]] = {i: [] for i in ids}
    now = NOW
    for failures in ([500, 429, 503], [429, 500, 502]):
        fake.fail_next(*(Failure(status, 20429 if status == 429 else None) for status in failures))
        assert deliver(db, transport, now) == 0
        stored = [row(db, i) for i in ids]
        assert {m.delivery for m in stored} == {"pending"}
        for message in stored:
            delays[message.id].append((message.next_attempt_at - now).total_seconds())
        now = max(m.next_attempt_at for m in stored) + dt.timedelta(seconds=1)
    assert deliver(db, transport, now) == 3

    assert fake.attempts == 9
    assert sorted(m["Body"] for m in fake.accepted) == sorted(
        f"Baik, booking PLG-000{n} tetap berlaku." for n in range(3)
    )
    for message_id, (first, second) in delays.items():
        assert 30 * 0.8 <= first <= 30 * 1.2 + 1 and 60 * 0.8 <= second <= 60 * 1.2 + 1
        assert second > first
        stored = row(db, message_id)
        assert (stored.delivery, stored.attempts, stored.error_code) == ("sent", 3, None)


def test_backoff_doubles_up_to_an_hour_with_jitter():
    import random

    rng = random.Random(7)
    for attempts, base in ((1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (30, 3600)):
        wait = backoff(attempts, rng).total_seconds()
        assert base * 0.8 <= wait <= base * 1.2


def test_no_answer_in_time_is_retried(db, fake, fake_hang_transport):
    message_id = queue(db, citizen(db))
    fake.fail_next(Hang(5))
    assert deliver(db, fake_hang_transport) == 0
    stored = row(db, message_id)
    assert (stored.delivery, stored.attempts) == ("pending", 1)
    assert "no answer from Twilio" in stored.error_message
    assert deliver(db, fake_hang_transport, stored.next_attempt_at) == 1


@pytest.fixture
def fake_hang_transport(fake) -> TwilioTransport:
    return TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, api_url=fake.url, timeout=0.3)


def test_an_invalid_number_fails_at_once_without_personal_data_in_the_reason(db, fake, transport):
    fake.refused[PHONE] = Failure(400, 21211, f"The 'To' number {PHONE} is not a valid phone number.")
    message_id = queue(db, citizen(db))

    assert deliver(db, transport) == 0
    stored = row(db, message_id)
    assert (stored.delivery, stored.error_code, stored.attempts) == ("failed", 21211, 1)
    assert "not a valid phone number" in stored.error_message and PHONE not in stored.error_message
    assert deliver(db, transport, NOW + dt.timedelta(days=1)) == 0
    assert fake.attempts == 1


@pytest.mark.parametrize("code", [21610, 63014])
def test_an_opted_out_number_fails_and_its_conversation_opts_out(db, fake, transport, code):
    fake.refused[PHONE] = Failure(400, code, "Attempt to send to unsubscribed recipient")
    conversation_id = citizen(db)
    first, second = queue(db, conversation_id), queue(db, conversation_id, params={"code": "PLG-0002"})

    assert deliver(db, transport) == 0
    assert (row(db, first).delivery, row(db, first).error_code) == ("failed", code)
    assert row(db, second).delivery == "skipped"  # claimed with the first, never sent
    assert fake.attempts == 1
    stored = conversation(db, conversation_id)
    assert stored.opted_out and State.from_json(stored.state).opted_out
    assert State.from_json(stored.state).lang == "id"  # the rest of the state is kept


def test_max_attempts_then_failed_for_officers_to_see(db, fake, transport):
    message_id = queue(db, citizen(db))
    now = NOW
    for attempt in range(1, 4):
        fake.fail_next(Failure(500, None, "Internal Server Error"))
        assert deliver(db, transport, now, max_attempts=3) == 0
        stored = row(db, message_id)
        assert stored.attempts == attempt
        if attempt < 3:
            assert stored.delivery == "pending"
            now = stored.next_attempt_at
    assert stored.delivery == "failed" and stored.next_attempt_at is None
    assert stored.error_message.startswith("gave up after 3 attempts: HTTP 500")
    assert deliver(db, transport, now + dt.timedelta(days=1), max_attempts=3) == 0
    assert fake.accepted == []


def test_a_conversation_opted_out_after_queueing_is_skipped_and_nothing_sent(db, fake, transport):
    conversation_id = citizen(db)
    message_id = queue(db, conversation_id)
    with db.transaction() as session:
        opt_out(session, conversation_id, NOW)

    assert deliver(db, transport) == 0
    stored = row(db, message_id)
    assert stored.delivery == "skipped" and "opted out" in stored.error_message
    assert fake.attempts == 0


# --- WhatsApp's 24-hour window ------------------------------------------------------------------

ASK_CANCEL = {"end": "10:00", "start": "08:00", "date": "Rabu, 2 Desember 2026", "code": "PLG-7K2Q"}


def test_inside_the_window_free_text(db, fake, transport):
    office(db, sms_sender=SMS_SENDER, templates={"reminder": {"id": REMINDER_SID}})
    message_id = queue(db, citizen(db, last_inbound=dt.timedelta(hours=23, minutes=59)))
    assert deliver(db, transport) == 1
    assert fake.accepted[0]["Body"] and "ContentSid" not in fake.accepted[0]
    assert row(db, message_id).sent_via == "whatsapp"


@pytest.mark.parametrize("language, expected_sid", [("id", REMINDER_SID), ("en", REMINDER_SID_EN)])
def test_outside_the_window_the_template_with_numbered_variables(db, fake, transport, language, expected_sid):
    office(db, sms_sender=SMS_SENDER, templates={"reminder": {"id": REMINDER_SID, "en": REMINDER_SID_EN}})
    message_id = queue(
        db,
        citizen(db, last_inbound=dt.timedelta(hours=25), language=language),
        message_id="ask_cancel",
        params=ASK_CANCEL,
    )

    assert deliver(db, transport) == 1
    [sent] = fake.accepted
    assert (sent["To"], sent["From"], sent["ContentSid"]) == ("whatsapp:" + PHONE, "whatsapp:" + HOTLINE, expected_sid)
    assert "Body" not in sent
    # Numbered as the placeholders appear in the Indonesian text: "Batalkan {code} ({date} {start}-{end})?"
    assert json.loads(sent["ContentVariables"]) == {
        "1": "PLG-7K2Q",
        "2": "Rabu, 2 Desember 2026",
        "3": "08:00",
        "4": "10:00",
    }
    stored = row(db, message_id)
    assert (stored.sent_via, stored.channel, stored.error_code) == ("whatsapp_template", "whatsapp", None)


def test_a_template_in_the_citizens_language_falls_back_to_indonesian(db, fake, transport):
    office(db, templates={"reminder": {"id": REMINDER_SID}})
    queue(db, citizen(db, last_inbound=None, language="en"))
    assert deliver(db, transport) == 1
    assert fake.accepted[0]["ContentSid"] == REMINDER_SID


def test_content_variables_follow_the_indonesian_catalogue_text():
    # "Batalkan {code} ({date} {start}-{end})? Balas YA atau TIDAK." whatever order params come in
    params = {"end": "10:00", "start": " ", "date": "Rabu", "code": "PLG-1"}
    assert content_variables({"message": "ask_cancel", "params": params, "lang": "en"}) == {
        "1": "PLG-1",
        "2": "Rabu",
        "3": "-",
        "4": "10:00",
    }  # WhatsApp refuses empty variables
    assert placeholder_order("{b} and {a}, {b} again, {c.x}") == ["b", "a", "c"]
    assert content_variables({"message": "not-in-the-catalogue", "params": {"b": 2, "a": 1}}) == {"1": "2", "2": "1"}
    assert content_variables(None) == {}


def test_outside_the_window_without_a_template_sms_from_the_office_sender(db, fake, transport):
    office(db, sms_sender=SMS_SENDER, templates={"release": {"id": REMINDER_SID}})
    message_id = queue(db, citizen(db, last_inbound=dt.timedelta(days=3)), body="Jadwal Anda besok – 08:00")

    assert deliver(db, transport) == 1
    [sent] = fake.accepted
    assert (sent["To"], sent["From"], sent["Body"]) == (PHONE, SMS_SENDER, "Jadwal Anda besok - 08:00")
    assert sent["StatusCallback"] == CALLBACK
    stored = row(db, message_id)
    assert (stored.sent_via, stored.channel) == ("sms", "sms")


def test_outside_the_window_with_neither_fails_with_the_reason(db, fake, transport):
    message_id = queue(db, citizen(db, last_inbound=dt.timedelta(days=2)))
    assert deliver(db, transport) == 0
    stored = row(db, message_id)
    assert stored.delivery == "failed"
    assert stored.error_message.startswith("outside WhatsApp's 24-hour window and no template for reminder")
    assert fake.attempts == 0


@pytest.mark.parametrize(
    "setup, via",
    [
        ({"templates": {"reminder": {"id": REMINDER_SID}}}, "whatsapp_template"),
        ({"sms_sender": SMS_SENDER}, "sms"),
        ({}, None),
    ],
)
def test_63016_on_free_text_takes_the_fallback(db, fake, transport, setup, via):
    office(db, **setup)
    fake.outside_window.add(PHONE)  # Twilio's clock says the window closed; ours did not
    message_id = queue(db, citizen(db, last_inbound=dt.timedelta(hours=1)))

    assert deliver(db, transport) == (1 if via else 0)
    stored = row(db, message_id)
    assert stored.error_code == 63016 and stored.attempts == 1
    if via is None:
        assert stored.delivery == "failed" and "no template for reminder" in stored.error_message
        assert fake.accepted == []
        return
    [sent] = fake.accepted
    assert (stored.delivery, stored.sent_via, stored.twilio_sid) == ("sent", via, sent["sid"])
    assert ("ContentSid" in sent) == (via == "whatsapp_template")


# --- rate ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_sends_are_spaced_by_the_rate_per_sender_in_real_time(db, fake, transport):
    conversation_id = citizen(db)
    for n in range(20):
        queue(db, conversation_id, params={"code": f"PLG-{n:04d}"})

    started = time.monotonic()
    assert deliver(db, transport, send_rate=10) == 20
    elapsed = time.monotonic() - started

    assert elapsed >= 1.85
    times = sorted(float(m["accepted_at"]) for m in fake.accepted)
    assert times[-1] - times[0] >= 1.85
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.05  # 0.1 s, less the HTTP jitter


def most_in_one_second(times: list[float]) -> int:
    """Return the most of the instants (sorted) that any window of one second holds."""
    # (a microsecond less than a second: the instants are stored to the microsecond)
    return max((bisect.bisect_left(times, t + 1.0 - 1e-6) - i for i, t in enumerate(times)), default=0)


def send_turns(db, asks: list[float], rate: float, took: float = 0.0, never_answered: int = -1) -> list[Sent]:
    """Ask for a send turn at each instant (seconds after NOW); return the sends as they went.

    A send granted a turn at t is answered by Twilio `took` seconds later (finish_send_turn),
    except the `never_answered`-th (its process died); one refused asks again at the instant
    it is given, as deliver_due does.
    """
    sender = "whatsapp:" + HOTLINE
    events = [(at, "ask", 0.0) for at in asks]
    heapq.heapify(events)
    sent: list[Sent] = []
    while events:
        at, kind, started = heapq.heappop(events)
        clock = lambda at=at: NOW + dt.timedelta(seconds=at)  # noqa: E731
        with db.transaction() as session:
            if kind == "finish":
                finish_send_turn(session, sender, started, clock)
                continue
            turn = take_send_turn(session, sender, clock, rate=rate, horizon=SLOT_HORIZON)
        if turn.wait_until is None:
            sent.append(Sent(at, at + took))
            if len(sent) - 1 != never_answered:
                heapq.heappush(events, (at + took, "finish", turn.started))
        else:
            assert turn.wait_until > clock()
            heapq.heappush(events, ((turn.wait_until - NOW).total_seconds(), "ask", 0.0))
    return sent


@dataclass(frozen=True)
class Sent:
    started: float  # seconds after NOW
    answered: float  # when Twilio answered: it got the message somewhere in between


@pytest.mark.parametrize("rate", [1, 3, 10])
@pytest.mark.parametrize("took", [0.0, 0.03, 0.4])
def test_no_second_at_twilio_holds_more_sends_than_the_rate_however_long_they_take(db, rate, took):
    rng = random.Random(rate)
    asks = sorted(round(rng.uniform(0, 2), 6) for _ in range(4 * rate))  # bunched: twice what the rate allows
    sent = send_turns(db, asks, rate, took)
    assert len(sent) == len(asks)
    # Whenever in [started, answered] each reached Twilio, no second there held more than the rate.
    assert most_in_one_second(sorted(s.started for s in sent)) <= rate
    assert most_in_one_second(sorted(s.answered for s in sent)) <= rate
    assert all(b.started >= a.answered + 1 - 1e-6 for a, b in zip(sent, sent[rate:], strict=False))
    assert min(b.started - a.started for a, b in zip(sent, sent[1:], strict=False)) >= 1 / rate - 1e-6
    if took == 0.0:  # as fast as the rate allows: within 5 %
        assert (len(sent) - 1) / (sent[-1].started - sent[0].started) >= rate * 0.95


def test_a_send_held_up_on_its_way_holds_the_next_seconds_sends(db):
    # The first send takes 0.5 s to be answered: Twilio may count it at 0.5, so the 11th send
    # (rate 10) waits until 1.5, not 1.0.
    sent = send_turns(db, [0.0, *[0.1] * 10], 10, took=0.0)
    assert sent[10].started >= sent[0].answered + 1
    slow = send_turns(db, [5.0], 10, took=0.5) + send_turns(db, [5.1] * 10, 10)
    assert slow[10].started >= 6.5


def test_a_send_never_answered_stops_the_sender_a_minute_at_most(db):
    sent = send_turns(db, [0.0, *[0.1] * 10], 10, never_answered=0)
    assert sent[10].started >= UNANSWERED_SECONDS + 1
    assert sent[10].started < UNANSWERED_SECONDS + 2


def test_a_send_slot_left_far_ahead_by_a_made_up_now_does_not_stall_real_sends(db, fake, transport):
    # A second's worth of sends recorded by a run with a made-up --now 30 days ahead: real
    # sends would wait for them to be a second old.
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).timestamp()
    with db.transaction() as session:
        session.add(
            SendSlot(sender="whatsapp:" + HOTLINE, recent=[[ahead + n / 10, ahead + n / 10] for n in range(10)])
        )
    queue(db, citizen(db))
    started = time.monotonic()
    assert deliver(db, transport) == 1
    assert time.monotonic() - started < 2


# --- transports and settings --------------------------------------------------------------------


def test_console_transport_prints_the_message_and_makes_up_a_sid():
    stream = io.StringIO()
    result = ConsoleTransport(stream).send(
        channel="whatsapp",
        to=PHONE,
        from_=HOTLINE,
        body="Halo",
        content_sid=None,
        content_variables=None,
        status_callback=None,
    )
    assert result.sid.startswith("SM") and len(result.sid) == 34
    assert stream.getvalue() == f"--> whatsapp:{PHONE} (from whatsapp:{HOTLINE}): Halo\n"


def test_transport_from_config_needs_both_twilio_credentials():
    # Printing instead of sending is for the demo only: in production it would mark messages
    # sent that nobody receives.
    with pytest.raises(TransportNotConfigured, match="TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"):
        transport_from_config({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": None})
    assert isinstance(
        transport_from_config({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": None, "DEMO": True}), ConsoleTransport
    )
    made = transport_from_config(
        {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_API_URL": "http://127.0.0.1:9"}
    )
    assert isinstance(made, TwilioTransport)


def test_send_settings_from_the_environment():
    config = from_environment(
        {"HOTLINE_SEND_RATE": "3", "HOTLINE_SEND_MAX_ATTEMPTS": "5", "TWILIO_API_URL": "http://127.0.0.1:8080/"}
    )
    assert (config["SEND_RATE"], config["SEND_MAX_ATTEMPTS"], config["TWILIO_API_URL"]) == (
        3,
        5,
        "http://127.0.0.1:8080",
    )
    defaults = from_environment({})
    assert (defaults["SEND_RATE"], defaults["SEND_MAX_ATTEMPTS"], defaults["TWILIO_API_URL"]) == (10, 8, None)
    with pytest.raises(RuntimeError):
        from_environment({"HOTLINE_SEND_RATE": "0"})


@pytest.mark.parametrize(
    "status, code, retryable",
    [
        (None, None, True),
        (429, 20429, True),
        (500, None, True),
        (503, 20503, True),
        (400, 21211, False),
        (400, 21614, False),
        (400, 21610, False),
        (400, 63014, False),
        (400, 21408, False),
        (400, 63016, False),
        (401, 20003, False),
    ],
)
def test_which_errors_are_worth_retrying(status, code, retryable):
    error = SendError(status, code, "whatever")
    assert error.retryable is retryable
    assert error.outside_window is (code == 63016)
    assert error.opted_out is (code in (21610, 63014))


def test_wrong_credentials_fail_without_retrying(db, fake):
    message_id = queue(db, citizen(db))
    wrong = TwilioTransport(ACCOUNT_SID, "not-the-token", api_url=fake.url, timeout=5)
    assert deliver(db, wrong) == 0
    assert (row(db, message_id).delivery, row(db, message_id).error_code) == ("failed", 20003)


# --- several deliverers, and one that dies ------------------------------------------------------

WORKER = textwrap.dedent("""
    import datetime as dt, json, sys
    from hotline.twilio_out import TwilioTransport
    from scheduler.delivery import deliver_due
    from storage.db import Database

    job = json.loads(sys.argv[1])
    db = Database(job["url"])
    with db.engine.connect():
        pass
    transport = TwilioTransport(job["account"], job["token"], api_url=job["api"], timeout=30)
    print("ready", flush=True)
    sys.stdin.readline()
    sent = deliver_due(db, dt.datetime.fromisoformat(job["now"]), transport, public_url=None,
                       send_rate=job["rate"], batch=job["batch"])
    print(json.dumps({"sent": sent}), flush=True)
""")


def start_deliverer(db: Database, fake: FakeTwilio, *, now: dt.datetime = NOW, rate: int = 10, batch: int = 50):
    """Start a deliverer process; it waits for a line on stdin before sweeping."""
    job = {
        "url": db.url,
        "account": ACCOUNT_SID,
        "token": AUTH_TOKEN,
        "api": fake.url,
        "now": now.isoformat(),
        "rate": rate,
        "batch": batch,
    }
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(job)],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


@pytest.mark.slow
def test_two_deliverer_processes_send_each_message_exactly_once(db, fake):
    conversation_id = citizen(db)
    for n in range(30):
        queue(db, conversation_id, params={"code": f"PLG-{n:04d}"})

    processes = [start_deliverer(db, fake, rate=25, batch=5) for _ in range(2)]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1])["sent"])

    bodies = Counter(m["Body"] for m in fake.accepted)
    assert len(bodies) == 30 and set(bodies.values()) == {1}
    assert sum(results) == 30 and min(results) > 0, results  # both took part
    times = sorted(float(m["accepted_at"]) for m in fake.accepted)
    assert times[-1] - times[0] >= 29 / 25 * 0.9  # one sender's rate, shared by both processes
    assert most_in_one_second(times) <= 25  # never above the rate at Twilio, whichever process sent
    with db.transaction() as session:
        stored = session.scalars(select(Message).where(Message.direction == "out")).all()
        assert {m.delivery for m in stored} == {"sent"}
        assert {m.twilio_sid for m in stored} == {m["sid"] for m in fake.accepted}


@pytest.mark.slow
@pytest.mark.parametrize("accepted_before_the_kill", [False, True])
def test_a_deliverer_killed_between_claim_and_record_loses_nothing(db, fake, transport, accepted_before_the_kill):
    message_id = queue(db, citizen(db))
    hang = Hang(30, accept=accepted_before_the_kill)
    fake.fail_next(hang)

    process = start_deliverer(db, fake)
    process.stdin.write("go\n")
    process.stdin.flush()
    assert fake.wait_for_attempts(1, timeout=20), process.stderr.read()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    hang.release.set()

    claimed = row(db, message_id)
    assert claimed.delivery == "sending" and claimed.twilio_sid is None
    # Within the lease nobody touches it; after the lease the next sweep sends it.
    assert deliver(db, transport, NOW + LEASE - dt.timedelta(seconds=5)) == 0
    assert deliver(db, transport, NOW + LEASE + dt.timedelta(seconds=1)) == 1

    stored = row(db, message_id)
    assert (stored.delivery, stored.attempts, stored.twilio_sid) == ("sent", 2, fake.accepted[-1]["sid"])
    # The at-least-once window (scheduler/delivery.py): Twilio had accepted the first send, the
    # process died before recording its MessageSid, so the citizen gets the message twice.
    assert len(fake.accepted) == (2 if accepted_before_the_kill else 1)


def test_a_sweep_gives_back_what_it_could_not_send_before_its_lease_ends(db, fake, transport):
    conversation_id = citizen(db)
    ids = [queue(db, conversation_id, params={"code": f"PLG-{n:04d}"}) for n in range(3)]

    # A lease no longer than the safety margin: no send may start on it.
    assert deliver(db, transport, lease=delivery.SEND_MARGIN) == 0
    assert fake.attempts == 0
    for message_id in ids:
        stored = row(db, message_id)
        assert (stored.delivery, stored.attempts, stored.claimed_until) == ("pending", 0, None)
