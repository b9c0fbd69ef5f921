"""The inbound webhook: signatures, offices by number, deduplication, storage, TwiML."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from storage.models import Booking, Conversation, Message
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, sign, twiml_messages


def count(db, model) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def form(body="halo", **extra):
    return {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": "whatsapp:+6281234567890",
        "To": "whatsapp:+6282176190771",
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


URL = PUBLIC_URL + "/twilio/inbound"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # unsigned
        {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},  # forged
        {"X-Twilio-Signature": sign(URL, {"Body": "something else"})},  # signed over other fields
        {"X-Twilio-Signature": sign(URL, form(), token="another-account-token")},  # other token
    ],
)
def test_unsigned_or_forged_requests_get_403_and_store_nothing(client, db, headers):
    response = client.post("/twilio/inbound", data=form(), headers=headers)
    assert response.status_code == 403
    assert count(db, Message) == 0
    assert count(db, Conversation) == 0


def test_signature_over_a_field_twilio_added_is_checked_too(client, db):
    signed = form()
    signature = sign(URL, signed)
    tampered = {**signed, "ProfileName": "added after signing"}
    response = client.post("/twilio/inbound", data=tampered, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert count(db, Message) == 0


def test_signature_is_checked_against_public_url_not_the_proxy_address(client):
    # Signed for the address the app sees (http://localhost/...) rather than PUBLIC_URL.
    data = form()
    response = client.post(
        "/twilio/inbound", data=data, headers={"X-Twilio-Signature": sign("http://localhost/twilio/inbound", data)}
    )
    assert response.status_code == 403


def test_without_public_url_the_request_url_is_what_is_signed(db, clock):
    from hotline import create_app

    app = create_app({"DATABASE_URL": db.url, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_URL": None, "CLOCK": clock})
    data = form()
    response = app.test_client().post(
        "/twilio/inbound", data=data, headers={"X-Twilio-Signature": sign("http://localhost/twilio/inbound", data)}
    )
    assert response.status_code == 200


def test_without_auth_token_the_webhook_is_refused_unless_demo(db, clock):
    from hotline import create_app

    closed = create_app({"DATABASE_URL": db.url, "TWILIO_AUTH_TOKEN": None, "DEMO": False, "CLOCK": clock})
    assert closed.test_client().post("/twilio/inbound", data=form()).status_code == 503
    assert count(db, Message) == 0
    demo = create_app({"DATABASE_URL": db.url, "TWILIO_AUTH_TOKEN": None, "DEMO": True, "CLOCK": clock})
    response = demo.test_client().post("/twilio/inbound", data=form())
    assert response.status_code == 200
    assert "Layanan paspor" in twiml_messages(response.get_data(as_text=True))[0]


def test_message_to_an_unknown_number_gets_404_and_changes_nothing(client, db):
    data = form(To="whatsapp:+6281111111111")
    response = client.post("/twilio/inbound", data=data, headers={"X-Twilio-Signature": sign(URL, data)})
    assert response.status_code == 404
    assert count(db, Conversation) == 0
    assert count(db, Message) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"MessageSid": ""},
        {"MessageSid": "not-a-sid"},
        {"From": "whatsapp:hello"},
        {"From": ""},
        {"To": "12"},
    ],
)
def test_malformed_fields_get_400_not_500(client, db, changes):
    data = form(**changes)
    response = client.post("/twilio/inbound", data=data, headers={"X-Twilio-Signature": sign(URL, data)})
    assert response.status_code == 400
    assert count(db, Message) == 0


def test_first_message_gets_the_menu_in_twiml_and_both_messages_are_stored(citizen, db):
    replies = citizen.says("Halo")
    assert len(replies) == 1 and "1 PESAN" in replies[0]
    with db.transaction() as session:
        conversation = session.scalar(select(Conversation))
        assert conversation.phone == "+6281234567890"
        assert conversation.channel == "whatsapp"
        messages = session.scalars(select(Message).order_by(Message.id)).all()
        assert [(m.direction, m.author, m.body[:4]) for m in messages] == [
            ("in", "citizen", "Halo"),
            ("out", "bot", replies[0][:4]),
        ]
        assert messages[1].reply_to_id == messages[0].id


def test_a_repeated_message_sid_changes_nothing_and_gets_the_first_reply(citizen, db):
    sid = "SM" + "a" * 32
    first = twiml_messages(citizen.post("1", sid=sid).get_data(as_text=True))
    again = citizen.post("1", sid=sid)
    assert again.status_code == 200
    assert twiml_messages(again.get_data(as_text=True)) == first
    assert count(db, Message) == 2  # one in, one out: the retry stored nothing
    with db.transaction() as session:
        assert session.scalar(select(Conversation)).state["step"] == "service"


def test_media_without_text_gets_a_polite_text_answer(citizen):
    replies = citizen.says("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/1", MediaContentType0="image/jpeg")
    assert "hanya bisa membaca pesan teks" in replies[0]


def test_sms_replies_are_gsm7_even_when_the_name_is_not(client, db):
    from conversations.channels import GSM7, GSM7_EXTENDED
    from tests.conftest import Citizen

    sms = Citizen(client, "+6281234567891", whatsapp=False)
    for text in ("1", "baru biasa", "Zoë Ñúñez “Budi”"):
        replies = sms.says(text)
    summary = sms.says("1671014501900001")
    assert summary
    for reply in replies + summary:
        assert set(reply) <= GSM7 | GSM7_EXTENDED


def test_a_whole_booking_over_whatsapp_is_stored(citizen, db, clock):
    citizen.says("halo")
    citizen.says("1")
    citizen.says("perpanjang elektronik")
    assert "NIK" in citizen.says("Siti Aminah")[0]
    assert "Tanggal" in citizen.says("1671016504900002")[0]
    sessions = citizen.says("Kamis")  # Thursday 3 December 2026
    assert "Kamis, 3 Desember 2026" in sessions[0]
    summary = citizen.says("2")
    assert "10:00-12:00" in summary[0] and "NIK ****0002" in summary[0]
    booked = citizen.says("YA")
    assert "PLG-" in booked[0] and "paspor lama" in booked[0]
    with db.transaction() as session:
        booking = session.scalar(select(Booking))
        assert booking.status == "booked"
        assert booking.code in booked[0]
        assert (booking.service, booking.passport_type, booking.name) == ("renewal", "electronic", "Siti Aminah")
        assert booking.date.isoformat() == "2026-12-03"
        assert booking.channel == "whatsapp" and booking.phone == "+6281234567890"


def test_english_speaker_books_in_english(citizen):
    assert "BOOK" in citizen.says("Hello, I want to book a passport appointment")[0]
    assert "Send in 1 message" in citizen.says("book")[0]
    assert "Please also send: name as on the KTP, NIK, date" in citizen.says("new electronic")[0]
    citizen.says("John Smith")
    citizen.says("1671010101900003")
    assert "Choose a session" in citizen.says("tomorrow")[0]
    citizen.says("1")
    assert citizen.says("YES")[0].startswith("Booked. Code: PLG-")


def test_agent_request_sets_the_handover_flag_and_silences_the_bot(citizen, db):
    assert "petugas" in citizen.says("PETUGAS")[0].lower()
    assert citizen.says("halo?") == []
    with db.transaction() as session:
        conversation = session.scalar(select(Conversation))
        assert conversation.handover is True
        assert session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 2


def test_opted_out_number_gets_no_reply_until_it_starts_again(citizen, db):
    citizen.says("STOP")
    assert citizen.says("halo") == []
    assert citizen.says("1") == []
    with db.transaction() as session:
        assert session.scalar(select(Conversation)).opted_out is True
    assert "Layanan paspor" in citizen.says("MULAI")[0]


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200


def test_healthz_says_503_when_the_database_is_gone(tmp_path, clock):
    from hotline import create_app

    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "CLOCK": clock})
    assert app.test_client().get("/healthz").status_code == 503


def test_readyz_answers_when_the_database_has_every_migration(client):
    response = client.get("/readyz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ready\n")


def test_readyz_says_503_when_the_database_is_gone_or_lacks_migrations(tmp_path, clock):
    from hotline import create_app
    from storage.db import Database

    gone = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "CLOCK": clock})
    assert gone.test_client().get("/readyz").status_code == 503
    # A database one migration behind (the code was upgraded, `hotline init` not run yet).
    url = f"sqlite:///{tmp_path / 'old.db'}"
    from storage.migrate import upgrade

    old = Database(url)
    upgrade(old.engine, "0004")
    old.dispose()
    behind = create_app({"DATABASE_URL": url, "CLOCK": clock}).test_client().get("/readyz")
    assert behind.status_code == 503 and "hotline init" in behind.get_data(as_text=True)
    # Not ready is not dead: the process and its database still answer /healthz.
    assert create_app({"DATABASE_URL": url, "CLOCK": clock}).test_client().get("/healthz").status_code == 200


def test_the_summary_tells_the_configured_hold_time(db, clock):
    from hotline import create_app
    from tests.conftest import Citizen

    app = create_app(
        {
            "DATABASE_URL": db.url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_URL": PUBLIC_URL,
            "CLOCK": clock,
            "HOLD_MINUTES": 3,
        }
    )
    someone = Citizen(app.test_client(), "+6281234567890", whatsapp=True)
    for text in ("1", "baru biasa", "Budi Santoso", "1671014501900001", "2/12"):
        someone.says(text)
    assert "Balas YA dlm 3 mnt" in someone.says("1")[0]
    clock.advance(minutes=4)
    with db.transaction() as session:
        import datetime as dt

        from storage.calendar import places
        from storage.offices import office_by_code

        day = places(session, office_by_code(session, "PLG"), dt.date(2026, 12, 2), dt.date(2026, 12, 2), clock())[0]
    assert day.sessions[0].held == 0  # the 3-minute hold no longer counts


def test_control_characters_in_a_message_are_dropped_not_a_500(citizen, db):
    # PostgreSQL refuses NUL in text; a citizen's phone (or a forger with the token) can send one.
    assert "1 PESAN" in citizen.says("ha\x00lo\x07")[0]
    with db.transaction() as session:
        assert session.scalar(select(Message.body).where(Message.direction == "in")) == "halo"
