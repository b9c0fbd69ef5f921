"""Twilio's status callbacks: signed, never backwards, and acting on opt-outs and WhatsApp's window."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from conversations.state import State
from hotline.twilio_out import TwilioTransport
from scheduler.delivery import deliver_due
from storage.conversations import lock_conversation
from storage.db import Database
from storage.models import Conversation, Message, Office
from storage.outbox import enqueue
from tests.conftest import PUBLIC_URL, START, sign
from tests.fakes import twilio_server
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

URL = PUBLIC_URL + "/twilio/status"
PHONE = "+6281234567890"
NOW = START.astimezone(dt.UTC)
TEMPLATE_SID = "HX" + "c" * 32


def sent_message(
    db: Database, *, status: str = "queued", via: str = "whatsapp", last_inbound: dt.timedelta = dt.timedelta(hours=1)
) -> tuple[int, str]:
    """Queue a reminder and record it as sent by Twilio; return (message id, MessageSid)."""
    sid = "SM" + uuid.uuid4().hex
    with db.transaction() as session:
        office = session.scalar(select(Office).where(Office.code == "PLG"))
        conversation = lock_conversation(session, office, PHONE, "whatsapp", NOW)
        conversation.last_inbound_at = NOW - last_inbound
        message = enqueue(
            session, conversation, kind="reminder", message_id="kept", params={"code": "PLG-7K2Q"}, now=NOW
        )
        session.flush()
        message.delivery, message.twilio_sid, message.status = "sent", sid, status
        message.sent_via, message.sent_at, message.attempts = via, NOW, 1
        return message.id, sid


def stored(db: Database, message_id: int) -> Message:
    with db.transaction() as session:
        return session.get(Message, message_id)


def post(client, form: dict[str, str], signature: str | None = "sign"):
    headers = {}
    if signature == "sign":
        headers["X-Twilio-Signature"] = sign(URL, form)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    return client.post("/twilio/status", data=form, headers=headers)


def callback(sid: str, status: str, error_code: str | None = None) -> dict[str, str]:
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": ACCOUNT_SID,
        "From": "whatsapp:+6282176190771",
        "To": "whatsapp:" + PHONE,
        "ApiVersion": "2010-04-01",
        "ChannelPrefix": "whatsapp",
    }
    if error_code is not None:
        form["ErrorCode"] = error_code
    return form


def report(client, sid: str, status: str, error_code: str | None = None) -> None:
    response = post(client, callback(sid, status, error_code))
    assert response.status_code == 200, response.get_data(as_text=True)


# --- never backwards ----------------------------------------------------------------------------


def test_each_status_moves_the_message_forward(client, db):
    message_id, sid = sent_message(db)
    for status in ("sending", "sent", "delivered", "read"):
        report(client, sid, status)
        assert stored(db, message_id).status == status


@pytest.mark.parametrize(
    "reports, final",
    [
        (["delivered", "sent"], "delivered"),  # a late "sent" does not undo "delivered"
        (["delivered", "queued", "sending"], "delivered"),
        (["delivered", "read"], "read"),  # read after delivered moves forward
        (["read", "delivered"], "read"),
        (["sent", "undelivered", "delivered"], "undelivered"),  # a failure is final
        (["delivered", "failed"], "delivered"),  # and does not overwrite delivered
        (["read", "undelivered"], "read"),
        (["failed", "undelivered", "sent"], "failed"),
    ],
)
def test_a_status_never_moves_backwards(client, db, reports, final):
    message_id, sid = sent_message(db)
    for status in reports:
        report(client, sid, status)
    assert stored(db, message_id).status == final


def test_a_failure_keeps_its_error_code_for_officers(client, db):
    message_id, sid = sent_message(db, status="sent")
    report(client, sid, "undelivered", "30003")
    message = stored(db, message_id)
    assert (message.status, message.error_code) == ("undelivered", 30003)
    assert "unreachable" in message.error_message and PHONE not in message.error_message
    assert message.delivery == "sent"  # what we did stays; Twilio's outcome is the status


def test_concurrent_callbacks_cannot_regress_the_status(app, db):
    message_id, sid = sent_message(db)
    statuses = ["queued", "sending", "sent", "delivered", "read"] * 4
    barrier = threading.Barrier(len(statuses))
    answers: list[int] = []

    def deliver_callback(status: str) -> None:
        client = app.test_client()
        form = callback(sid, status)
        barrier.wait()
        answers.append(post(client, form).status_code)

    threads = [threading.Thread(target=deliver_callback, args=(s,)) for s in reversed(statuses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [200] * len(statuses)
    assert stored(db, message_id).status == "read"


# --- who may call -------------------------------------------------------------------------------


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl", "forged"])
def test_an_unsigned_or_forged_callback_is_refused_and_changes_nothing(client, db, signature):
    message_id, sid = sent_message(db)
    form = callback(sid, "delivered")
    if signature == "forged":
        signature = sign(URL, form, token="someone-elses-token")
    response = post(client, form, signature)
    assert response.status_code == 403
    assert stored(db, message_id).status == "queued"


def test_a_callback_signed_for_other_fields_is_refused(client, db):
    message_id, sid = sent_message(db)
    signature = sign(URL, callback(sid, "delivered"))
    response = post(client, callback(sid, "undelivered", "30007"), signature)
    assert response.status_code == 403
    assert (stored(db, message_id).status, stored(db, message_id).error_code) == ("queued", None)


def test_an_unknown_message_sid_is_answered_200_and_stores_nothing(client, db, caplog):
    message_id, _ = sent_message(db)
    unknown = "SM" + "f" * 32
    with caplog.at_level("INFO"):
        response = post(client, callback(unknown, "delivered"))
    assert response.status_code == 200
    assert stored(db, message_id).status == "queued"
    assert PHONE not in caplog.text


@pytest.mark.parametrize(
    "form",
    [
        {"MessageStatus": "delivered"},
        {"MessageSid": "not-a-sid", "MessageStatus": "delivered"},
        {"MessageSid": "SM" + "a" * 32},
    ],
)
def test_a_callback_without_a_sid_or_status_is_a_bad_request(client, form):
    assert post(client, form).status_code == 400


# --- acting on what Twilio says -----------------------------------------------------------------


@pytest.mark.parametrize("code", ["21610", "63014"])
def test_opted_out_or_blocked_opts_the_conversation_out(client, db, code):
    message_id, sid = sent_message(db)
    report(client, sid, "failed", code)
    with db.transaction() as session:
        conversation = session.get(Conversation, stored(db, message_id).conversation_id)
        assert conversation.opted_out and State.from_json(conversation.state).opted_out


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    server = twilio_server.start()
    yield server
    twilio_server.stop(server)


def test_63016_on_free_text_requeues_it_once_for_the_template(client, db, fake, clock):
    with db.transaction() as session:
        session.execute(update(Office).values(whatsapp_templates={"reminder": {"id": TEMPLATE_SID}}))
    message_id, sid = sent_message(db, status="sent")
    clock.set(START + dt.timedelta(minutes=2))

    report(client, sid, "undelivered", "63016")
    report(client, sid, "failed", "63016")  # a second failure for the same send: no second copy
    requeued = stored(db, message_id)
    assert (requeued.delivery, requeued.error_code) == ("pending", 63016)
    assert requeued.next_attempt_at == clock()

    transport = TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, api_url=fake.url, timeout=5)
    assert deliver_due(db, clock(), transport, public_url=PUBLIC_URL) == 1
    report(client, sid, "undelivered", "63016")  # a late duplicate about the old send
    assert deliver_due(db, clock() + dt.timedelta(hours=1), transport, public_url=PUBLIC_URL) == 0

    [sent] = fake.accepted
    assert sent["ContentSid"] == TEMPLATE_SID and "Body" not in sent
    resent = stored(db, message_id)
    assert (resent.delivery, resent.sent_via, resent.twilio_sid, resent.status) == (
        "sent",
        "whatsapp_template",
        sent["sid"],
        "queued",
    )
    assert resent.error_code == 63016  # why it went as a template


def test_63016_on_a_template_is_not_requeued(client, db):
    message_id, sid = sent_message(db, via="whatsapp_template")
    report(client, sid, "failed", "63016")
    assert stored(db, message_id).delivery == "sent"
