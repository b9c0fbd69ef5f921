"""What the webhooks and pages refuse before any work: bodies and forms too large, form fields
given twice, and a MessageSid that is another conversation's."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from hotline.security import MAX_CONTENT_LENGTH, MAX_FORM_PARTS
from storage.models import Conversation, Message
from tests.conftest import PUBLIC_URL, sign, twiml_messages

URL = PUBLIC_URL + "/twilio/inbound"


def count(db, model) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def form(**extra: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": "whatsapp:+6281234567890",
        "To": "whatsapp:+6282176190771",
        "Body": "halo",
        "NumMedia": "0",
        **extra,
    }


def test_a_body_over_the_limit_is_refused_at_once_and_stores_nothing(client, db):
    data = form(Body="x" * (MAX_CONTENT_LENGTH + 1))
    started = time.monotonic()
    response = client.post("/twilio/inbound", data=data, headers={"X-Twilio-Signature": sign(URL, data)})
    assert response.status_code == 413
    assert response.mimetype == "text/plain"
    assert time.monotonic() - started < 1
    assert count(db, Message) == 0 and count(db, Conversation) == 0


def test_a_form_of_too_many_fields_is_refused_though_it_is_small(client, db):
    data = form(**{f"f{n}": "" for n in range(MAX_FORM_PARTS + 1)})
    response = client.post("/twilio/inbound", data=data, headers={"X-Twilio-Signature": sign(URL, data)})
    assert response.status_code == 413
    assert count(db, Message) == 0


def test_a_message_of_a_whatsapp_maximum_passes(citizen):
    # 4,096 characters (WhatsApp's most) of three-byte letters, URL-encoded: well under the limit.
    replies = citizen.says("ꦲ" * 4096)
    assert replies


def test_a_page_form_over_the_limit_gets_a_page_not_a_crash(client):
    response = client.post("/login", data={"username": "x" * (MAX_CONTENT_LENGTH + 1), "password": "y"})
    assert response.status_code == 413
    assert "text/html" in response.content_type


def test_a_field_given_twice_is_refused_whatever_its_signature(client, db):
    # The signature covers the sorted pairs: Body=a&Body=b and Body=b&Body=a sign alike, so the
    # bot could be made to read the other value. Twilio never repeats a field.
    data = MultiDict(list(form().items()) + [("Body", "BATAL")])
    signature = sign(URL, data)
    response = client.post("/twilio/inbound", data=data, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400
    assert count(db, Message) == 0


def test_a_status_callback_with_a_field_twice_is_refused(client):
    data = MultiDict([("MessageSid", "SM" + "1" * 32), ("MessageStatus", "delivered"), ("MessageStatus", "failed")])
    url = PUBLIC_URL + "/twilio/status"
    response = client.post("/twilio/status", data=data, headers={"X-Twilio-Signature": sign(url, data)})
    assert response.status_code == 400


def test_a_messagesid_of_another_number_gets_nothing_of_its_conversation(db, citizen):
    replies = citizen.says("halo")
    assert replies
    taken = citizen.last_sid
    other = citizen.other("+6281399990000")
    response = other.post("MENU", sid=taken)
    assert response.status_code == 200
    assert twiml_messages(response.get_data(as_text=True)) == []
    with db.transaction() as session:
        stored = session.scalars(select(Message).where(Message.direction == "in")).all()
        assert [m.twilio_sid for m in stored] == [taken]  # the first number's, untouched
        assert [m.body for m in stored] == ["halo"]
    # A delivery again from the first number is still answered as before.
    assert twiml_messages(citizen.post("halo", sid=taken).get_data(as_text=True)) == replies
