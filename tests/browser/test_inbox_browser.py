"""The inbox in a real browser: a citizen asks for an officer, an officer takes over and replies."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.models import Conversation, Message
from tests.browser.conftest import SCREENSHOTS
from tests.builders import PASSWORD, make_officer
from tests.hotline.test_inbox_pages import book

pytestmark = pytest.mark.browser


def test_an_officer_takes_over_and_replies_to_a_citizen(db, citizen, page):
    # A few citizens, so the list looks like a morning at the office.
    citizen.other("+6281377778888").says("halo")
    ani = citizen.other("+6285266665555", whatsapp=False)
    ani.says("PETUGAS")
    code = book(citizen)
    citizen.says("PETUGAS")
    citizen.says("Saya mau datang lebih pagi, bisa dibantu?")
    make_officer(db)

    page.goto(page.base + "/inbox")
    page.fill("#username", "budi")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/inbox$"))
    rows = page.locator("ul.conversations li")
    assert rows.count() == 2  # the two who asked for an officer
    first = rows.first
    assert "+62812****7890" in first.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)

    first.locator("a").click()
    page.wait_for_url(re.compile(r"/inbox/\d+$"))
    assert "datang lebih pagi" in page.locator("#thread").inner_text()
    assert code in page.locator("aside").inner_text()  # the active booking beside the thread
    page.get_by_role("button", name="Ambil alih", exact=True).click()
    page.wait_for_selector("text=Anda mengambil alih percakapan.")
    assert citizen.says("Halo?") == []  # the bot is silent now

    page.fill("#reply-body", "Selamat pagi, saya Budi. Sesi pertama sudah dari 08:00; kami catat permintaan Anda.")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector("text=Balasan masuk antrean kirim.")
    thread = page.locator("#thread")
    assert "kami catat permintaan Anda." in thread.inner_text()
    assert "Dalam antrean kirim" in thread.inner_text()
    with db.transaction() as session:
        sent = session.scalars(select(Message).where(Message.author == "officer")).all()
        assert [(m.body, m.delivery) for m in sent] == [
            ("Selamat pagi, saya Budi. Sesi pertama sudah dari 08:00; kami catat permintaan Anda.", "pending")
        ]
        conversation = session.get(Conversation, sent[0].conversation_id)
        assert conversation.handover and conversation.assigned_officer_id is not None

    # A new message appears without a reload (inbox.js polls every few seconds).
    citizen.says("Baik, terima kasih Pak.")
    page.wait_for_selector("#thread >> text=Baik, terima kasih Pak.", timeout=10_000)
    page.locator("#reply-body").blur()
    page.screenshot(path=str(SCREENSHOTS / "conversation.png"), full_page=True)
