"""The officers' inbox pages: citizens write through the signed webhook, officers act in the pages."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from storage.models import AuditEvent, CannedReply, Conversation, Message, Note, Office
from tests import builders
from tests.builders import make_officer
from tests.hotline.test_auth import CSRF_RE, sign_in, text
from tests.storage.test_inbox import NIK, PHONE, add_office

OTHER = "+6281311112222"


def page_token(client, path: str) -> str:
    return CSRF_RE.search(text(client.get(path))).group(1)


def conversation_id(db, phone: str = PHONE) -> int:
    with db.transaction() as session:
        return session.scalar(select(Conversation.id).where(Conversation.phone == phone))


def act(client, db, action: str, phone: str = PHONE, **form):
    """Post an action form from the conversation's page, with that page's CSRF token."""
    number = conversation_id(db, phone)
    token = page_token(client, f"/inbox/{number}")
    return client.post(f"/inbox/{number}/{action}", data={"csrf_token": token, **form})


def nonce_of(page: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', page).group(1)


def officer_messages(db) -> list[Message]:
    with db.transaction() as session:
        return list(session.scalars(select(Message).where(Message.author == "officer").order_by(Message.id)))


@pytest.fixture
def officer(db, client):
    """Budi, an officer of Palembang, signed in."""
    make_officer(db)
    assert sign_in(client).status_code == 302
    return "budi"


@pytest.fixture
def waiting(citizen):
    """The citizen asked for an officer."""
    citizen.says("halo")
    citizen.says("PETUGAS")
    return citizen


# --- the list -------------------------------------------------------------------------------


def test_the_waiting_list_shows_a_citizen_who_asked_for_an_officer_with_the_number_masked(
    db, client, officer, waiting, citizen
):
    citizen.other(OTHER).says("halo")  # the bot helps this one: not waiting
    page = text(client.get("/inbox"))
    assert "+62812****7890" in page
    assert PHONE not in page and "+62813****2222" not in page
    assert f'href="/inbox/{conversation_id(db)}"' in page
    assert "Menunggu petugas" in page
    assert 'class="count"' in page  # unread messages
    everything = text(client.get("/inbox?view=all"))
    assert "+62813****2222" in everything and "+62812****7890" in everything


def test_the_list_is_newest_activity_first(db, client, officer, waiting, citizen, clock):
    clock.advance(minutes=5)
    citizen.other(OTHER).says("PETUGAS")
    page = text(client.get("/inbox"))
    assert page.index("+62813****2222") < page.index("+62812****7890")


def test_the_mine_view_lists_what_is_assigned_to_me(db, client, officer, waiting):
    assert "+62812****7890" not in text(client.get("/inbox?view=mine"))
    act(client, db, "take-over")
    assert "+62812****7890" in text(client.get("/inbox?view=mine"))
    assert "+62812****7890" not in text(client.get("/inbox?view=waiting"))


# --- a conversation -------------------------------------------------------------------------


def test_the_thread_shows_every_message_in_order_with_the_full_number(db, client, officer, waiting):
    page = text(client.get(f"/inbox/{conversation_id(db)}"))
    with db.transaction() as session:
        bodies = list(session.scalars(select(Message.body).order_by(Message.id)))
    assert len(bodies) >= 4  # halo, the menu, PETUGAS, the bot's answer
    positions = [page.index(str(escape(body))) for body in bodies]
    assert positions == sorted(positions)
    assert PHONE in page  # beside the thread, the number in full
    assert "Warga" in page and "Bot" in page


def test_opening_a_conversation_marks_it_read(db, client, officer, waiting):
    assert 'class="unread"' in text(client.get("/inbox"))
    client.get(f"/inbox/{conversation_id(db)}")
    assert 'class="unread"' not in text(client.get("/inbox"))


def test_take_over_silences_the_bot_for_that_citizen(db, client, officer, waiting):
    response = act(client, db, "take-over")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/inbox/{conversation_id(db)}"
    assert "Anda mengambil alih percakapan." in text(client.get(response.headers["Location"]))
    assert waiting.says("halo, masih di sana?") == []


def test_a_reply_posted_twice_with_the_same_nonce_goes_out_once(db, client, officer, waiting):
    number = conversation_id(db)
    page = text(client.get(f"/inbox/{number}"))
    form = {
        "csrf_token": CSRF_RE.search(page).group(1),
        "nonce": nonce_of(page),
        "body": "Selamat pagi, saya Budi dari kantor imigrasi.",
    }
    first = client.post(f"/inbox/{number}/reply", data=form)
    second = client.post(f"/inbox/{number}/reply", data=form)
    assert first.status_code == second.status_code == 302
    sent = officer_messages(db)
    assert [m.body for m in sent] == ["Selamat pagi, saya Budi dari kantor imigrasi."]
    assert sent[0].delivery == "pending" and sent[0].kind == "officer"
    thread = text(client.get(f"/inbox/{number}"))
    assert "Selamat pagi, saya Budi dari kantor imigrasi." in thread
    assert "Dalam antrean kirim" in thread  # delivery status
    assert nonce_of(thread) != form["nonce"]  # a new form, a new nonce
    assert waiting.says("terima kasih") == []  # replying took it over


def test_an_empty_reply_is_refused_and_nothing_is_queued(db, client, officer, waiting):
    number = conversation_id(db)
    page = text(client.get(f"/inbox/{number}"))
    client.post(
        f"/inbox/{number}/reply",
        data={"csrf_token": CSRF_RE.search(page).group(1), "nonce": nonce_of(page), "body": "   "},
    )
    assert officer_messages(db) == []
    assert "Tulis sesuatu dulu." in text(client.get(f"/inbox/{number}"))


def test_the_page_says_so_before_typing_when_the_whatsapp_window_is_closed(db, client, officer, waiting, clock):
    number = conversation_id(db)
    assert "Jendela WhatsApp 24 jam terbuka" in text(client.get(f"/inbox/{number}"))
    clock.advance(hours=25)
    sign_in(client)  # the next day: yesterday's sign-in has ended
    page = text(client.get(f"/inbox/{number}"))
    assert "WhatsApp hanya menerima templat yang disetujui" in page
    assert page.index('id="window-closed"') < page.index('id="reply-body"')


def book(citizen) -> str:
    """Book Wednesday 2 December 08:00 through the webhook as the citizen; return the code."""
    return builders.book(citizen, nik=NIK, menu=False)


def test_a_canned_reply_fills_in_the_booking_code_and_the_bookings_show_beside_the_thread(db, client, officer, citizen):
    code = book(citizen)
    citizen.says("PETUGAS")
    with db.transaction() as session:
        office_id = session.scalar(select(Office.id).where(Office.code == "PLG"))
        canned = CannedReply(
            office_id=office_id,
            title="Kode booking",
            language="id",
            body="Kode booking Anda {code}, tanggal {date}. Alamat: {address}",
        )
        session.add(canned)
        session.flush()
        canned_id = canned.id
    number = conversation_id(db)
    plain = text(client.get(f"/inbox/{number}"))
    assert code in plain and "Budi Santoso" in plain  # the active booking beside the thread
    assert "Kode booking" in plain  # offered in the canned replies
    filled = text(client.get(f"/inbox/{number}?canned={canned_id}"))
    draft = re.search(r'<textarea id="reply-body"[^>]*>([^<]*)</textarea>', filled).group(1)
    assert f"Kode booking Anda {code}, tanggal Rabu, 2 Desember 2026." in draft
    assert "{code}" not in draft and "{date}" not in draft


def test_a_note_is_kept_and_never_sent(db, client, officer, waiting):
    act(client, db, "note", body="Warga menelepon juga, minta dihubungi sore.")
    with db.transaction() as session:
        assert session.scalars(select(Note.body)).all() == ["Warga menelepon juga, minta dihubungi sore."]
    assert officer_messages(db) == []
    page = text(client.get(f"/inbox/{conversation_id(db)}"))
    assert "Warga menelepon juga, minta dihubungi sore." in page and "Catatan internal dari budi" in page


def test_assign_to_a_colleague(db, client, officer, waiting):
    make_officer(db, "sari")
    with db.transaction() as session:
        from storage.models import Officer

        sari = session.scalar(select(Officer.id).where(Officer.username == "sari"))
    page = text(client.get(f"/inbox/{conversation_id(db)}"))
    assert f'<option value="{sari}">sari</option>' in page
    act(client, db, "assign", officer_id=str(sari))
    with db.transaction() as session:
        assert session.get(Conversation, conversation_id(db)).assigned_officer_id == sari
    page = text(client.get(f"/inbox/{conversation_id(db)}"))
    assert "Percakapan ditugaskan." in page and "Petugas: sari" in page
    # Sari's now: Budi (a plain officer) may read it but not act on it.
    act(client, db, "take-over")
    assert "ditangani petugas lain" in text(client.get(f"/inbox/{conversation_id(db)}"))


def test_hand_back_lets_the_bot_answer_again(db, client, officer, waiting):
    act(client, db, "take-over")
    assert waiting.says("halo") == []
    act(client, db, "hand-back")
    assert waiting.says("halo") != []


def test_resolve_closes_the_conversation_and_returns_to_the_list(db, client, officer, waiting):
    response = act(client, db, "resolve")
    assert response.headers["Location"] == "/inbox"
    assert "+62812****7890" not in text(client.get("/inbox"))
    with db.transaction() as session:
        assert session.get(Conversation, conversation_id(db)).resolved_at is not None
        assert "resolve" in session.scalars(select(AuditEvent.action)).all()
    assert waiting.says("halo") != []  # back with the bot


# --- who may see what -----------------------------------------------------------------------


def test_another_offices_conversation_is_404(db, client, app, waiting):
    add_office(db, "JKT")
    make_officer(db, "joko", offices=("JKT",))
    sign_in(client, "joko")
    number = conversation_id(db)
    assert "+62812****7890" not in text(client.get("/inbox?view=all"))
    assert client.get(f"/inbox/{number}").status_code == 404
    assert client.get(f"/inbox/{number}/updates.json").status_code == 404
    token = page_token(client, "/inbox")
    assert client.post(f"/inbox/{number}/take-over", data={"csrf_token": token}).status_code == 404
    with db.transaction() as session:
        assert session.get(Conversation, number).assigned_officer_id is None


@pytest.mark.parametrize("path", ["/inbox", "/inbox/1", "/inbox/updates.json", "/inbox/1/updates.json"])
def test_every_page_needs_sign_in(db, client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(db, client, officer, waiting):
    number = conversation_id(db)
    for action, form in [
        ("take-over", {}),
        ("reply", {"body": "hai", "nonce": "abc"}),
        ("note", {"body": "x"}),
        ("resolve", {}),
        ("hand-back", {}),
    ]:
        assert client.post(f"/inbox/{number}/{action}", data=form).status_code == 400
    with db.transaction() as session:
        conversation = session.get(Conversation, number)
        assert conversation.assigned_officer_id is None and conversation.waiting_since is not None
        assert session.scalar(select(func.count()).select_from(Note)) == 0
    assert officer_messages(db) == []


def test_a_citizens_script_is_shown_as_text(db, client, officer, citizen):
    citizen.says("PETUGAS")
    citizen.says("<script>alert(1)</script>")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    listing = text(client.get("/inbox"))
    thread = text(client.get(f"/inbox/{conversation_id(db)}"))
    for page in (listing, thread):
        assert escaped in page and "<script>alert(1)" not in page


# --- polling --------------------------------------------------------------------------------


def test_the_polling_endpoint_returns_new_messages_as_json(db, client, officer, waiting):
    number = conversation_id(db)
    first = client.get(f"/inbox/{number}/updates.json").get_json()
    after = first["last_message_id"]
    act(client, db, "take-over")
    waiting.says("Saya mau ganti tanggal")
    update = client.get(f"/inbox/{number}/updates.json?after={after}").get_json()
    assert [(m["direction"], m["author"], m["body"]) for m in update["messages"]] == [
        ("in", "citizen", "Saya mau ganti tanggal")
    ]
    assert update["last_message_id"] > after and update["handover"] is True
    listing = client.get("/inbox/updates.json?view=mine").get_json()
    assert [row["id"] for row in listing["conversations"]] == [number]


def test_an_officer_typing_is_shown_to_a_colleague(db, app, client, officer, waiting):
    number = conversation_id(db)
    token = page_token(client, f"/inbox/{number}")
    assert client.post(f"/inbox/{number}/replying", headers={"X-CSRFToken": token}).get_json()["other"] is None
    make_officer(db, "sari")
    colleague = app.test_client()
    sign_in(colleague, "sari")
    assert "budi sedang membalas" in text(colleague.get(f"/inbox/{number}"))
    assert colleague.get(f"/inbox/{number}/updates.json").get_json()["replying"] == "budi"


# --- the simulator --------------------------------------------------------------------------


def test_the_simulator_is_404_outside_demo_mode(client):
    assert client.get("/simulator").status_code == 404
    assert client.post("/simulator", data={"phone": "081200000001", "message": "halo"}).status_code == 404


def test_the_simulator_texts_the_bot_like_the_webhook_and_the_inbox_shows_it(db, app, client, officer):
    app.config["DEMO"] = True
    token = page_token(client, "/simulator")
    response = client.post(
        "/simulator", data={"csrf_token": token, "phone": "081200000001", "channel": "whatsapp", "message": "PETUGAS"}
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "PETUGAS" in page and "Anda (warga)" in page
    with db.transaction() as session:
        messages = session.scalars(select(Message).order_by(Message.id)).all()
        assert [m.author for m in messages][:2] == ["citizen", "bot"]
        assert messages[0].twilio_sid.startswith("SM") and messages[0].channel == "whatsapp"
    assert "+62812****0001" in text(client.get("/inbox"))


def test_the_simulator_refuses_a_post_without_a_csrf_token_in_demo_mode(db, app, client):
    app.config["DEMO"] = True
    response = client.post("/simulator", data={"phone": "081200000001", "message": "halo"})
    assert response.status_code == 400
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_the_inbox_speaks_english_for_an_english_speaking_officer(db, client, waiting):
    make_officer(db, language="en")
    sign_in(client)
    assert "Waiting for an officer" in text(client.get("/inbox"))
    page = text(client.get(f"/inbox/{conversation_id(db)}"))
    assert "Take over" in page and "Private note" in page


def test_a_reply_submitted_twice_reaches_twilio_once(db, client, officer, waiting, clock):
    """Double-click, a retried POST, two deliverers: the citizen gets the officer's words once."""
    import datetime as dt

    from hotline.twilio_out import TwilioTransport
    from scheduler.delivery import deliver_due
    from tests.fakes import twilio_server

    number = conversation_id(db)
    page = text(client.get(f"/inbox/{number}"))
    form = {
        "csrf_token": CSRF_RE.search(page).group(1),
        "nonce": nonce_of(page),
        "body": "Berkas Anda sudah kami terima.",
    }
    for _ in range(2):
        client.post(f"/inbox/{number}/reply", data=form)
    fake = twilio_server.start()
    try:
        transport = TwilioTransport(twilio_server.ACCOUNT_SID, twilio_server.AUTH_TOKEN, api_url=fake.url)
        for later in (0, 1):  # a second run finds nothing left to send
            deliver_due(db, clock() + dt.timedelta(seconds=later), transport, public_url=None)
    finally:
        twilio_server.stop(fake)
    assert [m.get("Body") for m in fake.accepted] == ["Berkas Anda sudah kami terima."]
    assert fake.accepted[0]["To"] == f"whatsapp:{PHONE}"
    [sent] = officer_messages(db)
    assert sent.delivery == "sent" and sent.twilio_sid == fake.accepted[0]["sid"]
