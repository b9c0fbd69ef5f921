"""The desk in a real browser: an officer opens the day's bookings and checks a citizen in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.models import Booking
from tests.browser.conftest import SCREENSHOTS
from tests.builders import PASSWORD, book, make_officer

pytestmark = pytest.mark.browser


def test_an_officer_checks_a_citizen_in_on_the_day_view(db, citizen, page, clock, tmp_path):
    # A few citizens booked for Wednesday, so the day looks like a morning at the office.
    code = book(citizen, "2/12", "1", n=1, name="Budi Santoso")
    book(citizen.other("+6281377778888"), "2/12", "1", n=2, name="Siti Rahmawati")
    book(citizen.other("+6285266665555", whatsapp=False), "2/12", "2", n=3, name="Andi Pratama")
    clock.advance(days=1)  # Wednesday 09:00: the day of the bookings
    make_officer(db)

    page.goto(page.base + "/bookings")
    page.fill("#username", "budi")
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/bookings$"))
    assert "Rabu, 2 Desember 2026" in page.locator("h1").inner_text()
    row = page.locator("tr", has_text=code)
    assert "************0001" in row.inner_text() and "Terpesan" in row.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "bookings.png"), full_page=True)

    row.get_by_role("button", name=re.compile("Catat kedatangan")).click()
    page.wait_for_selector("text=Budi Santoso (" + code + ") sudah datang.")
    row = page.locator("tr", has_text=code)
    assert "Sudah datang" in row.inner_text()
    assert row.get_by_role("button").count() == 0  # no second check-in offered
    with db.transaction() as session:
        assert session.scalar(select(Booking.status).where(Booking.code == code)) == "checked_in"

    # On a phone the tables become cards: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "bookings-phone.png"), full_page=True)
