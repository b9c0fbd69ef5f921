"""Whatever a citizen sends through the webhook gets TwiML, never an error."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PUBLIC_URL, sign, twiml_messages

WORDS = [
    "1",
    "2",
    "ya",
    "YES",
    "BATAL",
    "menu",
    "besok",
    "5/12",
    "Budi",
    "1671014501900001",
    "PETUGAS",
    "EN",
    "ID",
    "CEK",
    "UBAH",
    "tgl 31",
    "lusa",
    "3",
    "sesi 2",
    "",
    "🙂",
    "<b>x</b>",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=200)), min_size=1, max_size=12), st.booleans())
def test_any_sequence_of_messages_gets_twiml(client, messages, whatsapp):
    prefix = "whatsapp:" if whatsapp else ""
    phone = f"+62812{uuid.uuid4().int % 10**7:07d}"
    for body in messages:
        form = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "From": prefix + phone,
            "To": prefix + "+6282176190771",
            "Body": body,
            "NumMedia": "0",
        }
        response = client.post(
            "/twilio/inbound", data=form, headers={"X-Twilio-Signature": sign(PUBLIC_URL + "/twilio/inbound", form)}
        )
        assert response.status_code == 200, (body, response.get_data(as_text=True))
        twiml_messages(response.get_data(as_text=True))
