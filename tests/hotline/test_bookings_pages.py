"""The desk pages: bookings by day, check-in, no-shows, changes for a citizen, search, CSV, quota, audit.

Citizens book through the signed webhook; officers act in the pages with the pages' CSRF tokens.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib

import pytest
from sqlalchemy import select, update

from storage.models import AuditEvent, OfficeSession
from storage.offices import load_offices, parse_offices
from tests.builders import book, booking, make_booking, make_officer, nik, outbox, session_id
from tests.hotline.test_auth import CSRF_RE, JKT, sign_in, text

PHONE = "+6281234567890"
WED = dt.date(2026, 12, 2)  # the day after START (Tuesday 1 December 2026, 09:00 WIB)
THU = dt.date(2026, 12, 3)
SAT = dt.date(2026, 12, 5)


SIGN_INS = ("sign_in", "sign_in_failed", "sign_in_refused")


def audit(db) -> list[tuple[str, str]]:
    """Return the officers' actions in the audit log (their sign-ins left out), oldest first."""
    with db.transaction() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.not_in(SIGN_INS)).order_by(AuditEvent.id))
        return [(e.action, e.subject) for e in events]


def token(client, path: str = "/bookings") -> str:
    return CSRF_RE.search(text(client.get(path))).group(1)


def post(client, path: str, page: str = "/bookings", **form):
    """Post a form with the CSRF token of the page it sits on; follow the redirect."""
    return client.post(path, data={"csrf_token": token(client, page), **form}, follow_redirects=True)


@pytest.fixture
def officer(db, client):
    make_officer(db, "budi", "officer")
    assert sign_in(client, "budi").status_code == 302
    return "budi"


@pytest.fixture
def supervisor(db, client):
    make_officer(db, "sari", "supervisor")
    assert sign_in(client, "sari").status_code == 302
    return "sari"


# --- the day --------------------------------------------------------------------------------------


def test_the_day_shows_each_sessions_places_and_the_bookings_with_masked_nik(db, client, citizen, officer):
    code = book(citizen, name="Ma'ruf Santoso")
    other = citizen.other("+6281311112222")
    for line in ("MENU", "1", "baru biasa", "Sari", nik(2), "2/12"):
        other.says(line)
    assert "Balas YA" in other.says("1")[0]  # at the summary: a live hold, not a booking
    page = text(client.get("/bookings?office=PLG&date=2026-12-02"))
    assert code in page and "Ma&#39;ruf Santoso" in page  # citizens' text is escaped
    assert "************0001" in page and nik(1) not in page
    assert "+62812****7890" in page and PHONE not in page
    first = page[page.index("08:00–10:00") : page.index("10:00–12:00")]
    counts = dict(re.findall(r"<dt>(\w+)</dt><dd>(\d+)</dd>", first))
    assert counts == {"Kapasitas": "50", "Terpesan": "1", "Ditahan": "1", "Sisa": "48", "Sudah": "0"} or (
        counts["Kapasitas"],
        counts["Terpesan"],
        counts["Ditahan"],
        counts["Sisa"],
    ) == ("50", "1", "1", "48")
    assert "Rabu, 2 Desember 2026" in page
    assert 'href="/bookings?office=PLG&amp;date=2026-12-01"' in page  # previous day
    assert 'href="/bookings?office=PLG&amp;date=2026-12-03"' in page  # next day


def test_the_day_defaults_to_today_and_the_officers_office(client, officer):
    page = text(client.get("/bookings"))
    assert "Selasa, 1 Desember 2026" in page and "Hari ini" in page and "PLG" in page


@pytest.mark.parametrize("query", ["date=2026-13-45", "date=yesterday", "date=%00"])
def test_a_bad_date_is_explained_never_a_500(client, officer, query):
    response = client.get(f"/bookings?office=PLG&{query}")
    assert response.status_code == 400
    assert "tidak valid" in text(response) and "Selasa, 1 Desember 2026" in text(response)


def test_another_or_unknown_office_is_not_found(db, client, officer):
    with db.transaction() as session:
        load_offices(session, parse_offices(tomllib.loads(JKT)))
    assert client.get("/bookings?office=JKT").status_code == 404
    assert client.get("/bookings?office=NOPE").status_code == 404
    assert client.get("/bookings/day.csv?office=JKT").status_code == 404
    assert (
        client.post("/bookings/JKT/no-shows", data={"csrf_token": token(client), "date": "2026-12-01"}).status_code
        == 404
    )
    assert client.get("/bookings/PLG/PLG-ZZZZZZ").status_code == 404


def test_a_booking_of_another_office_is_not_found_nor_changed(db, client, clock):
    with db.transaction() as session:
        load_offices(session, parse_offices(tomllib.loads(JKT)))
    code = make_booking(db, PHONE, 1, WED, "08:00", now=clock())
    make_officer(db, "joko", "officer", offices=("JKT",))
    sign_in(client, "joko")
    assert client.get(f"/bookings/PLG/{code}").status_code == 404
    form = {"csrf_token": token(client, "/bookings"), "reason": "x"}
    assert client.post(f"/bookings/PLG/{code}/cancel", data=form).status_code == 404
    assert client.post(f"/bookings/JKT/{code}/cancel", data=form).status_code == 404
    assert booking(db, code).status == "booked"
    assert "Tidak ada booking untuk" in text(client.get(f"/bookings/search?q={code}"))


def test_pages_need_a_signed_in_officer(client):
    response = client.get("/bookings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- check-in and no-shows ---------------------------------------------------------------------------


def test_check_in_changes_the_status_and_writes_an_audit_event(db, client, citizen, officer, clock):
    code = book(citizen)
    clock.advance(days=1)  # Wednesday 09:00, the booking's day
    sign_in(client, "budi")  # a new day: yesterday's sign-in has ended
    page = post(client, f"/bookings/PLG/{code}/check-in", "/bookings", date="2026-12-02")
    assert "Budi Santoso (" + code + ") sudah datang." in text(page)
    assert booking(db, code).status == "checked_in"
    assert ("check_in", f"booking:{code}") in audit(db)
    again = post(client, f"/bookings/PLG/{code}/check-in", "/bookings", date="2026-12-02")
    assert again.status_code == 200
    assert "sudah dicatat datang pukul 09:00" in text(again)
    assert audit(db).count(("check_in", f"booking:{code}")) == 1


def test_check_in_on_another_day_is_refused_with_the_date(db, client, citizen, officer):
    code = book(citizen)
    page = text(post(client, f"/bookings/PLG/{code}/check-in", date="2026-12-02"))
    assert "Rabu, 2 Desember 2026, bukan hari ini" in page
    assert booking(db, code).status == "booked"


def test_no_shows_are_marked_after_the_session_ended(db, client, citizen, officer, clock):
    code = book(citizen)
    clock.set(dt.datetime(2026, 12, 2, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    sign_in(client, "budi")  # a new day: yesterday's sign-in has ended
    page = text(post(client, "/bookings/PLG/no-shows", date="2026-12-02"))
    assert "1 booking ditandai tidak hadir." in page
    assert booking(db, code).status == "no_show"
    assert ("no_show", "date:2026-12-02") in audit(db)
    future = text(post(client, "/bookings/PLG/no-shows", date="2026-12-09"))
    assert "belum tiba" in future


# --- cancel and move for the citizen --------------------------------------------------------------


def test_cancel_on_behalf_tells_the_citizen(db, client, citizen, officer):
    code = book(citizen)
    page = text(client.get(f"/bookings/PLG/{code}"))
    assert "Batalkan untuk warga" in page and "************0001" in page
    done = post(client, f"/bookings/PLG/{code}/cancel", f"/bookings/PLG/{code}", reason="Petugas sakit")
    assert f"Booking {code} dibatalkan; warga diberi tahu." in text(done)
    assert booking(db, code).status == "cancelled"
    (message,) = outbox(db, "office_cancelled")
    assert code in message.body and "dibatalkan oleh kantor imigrasi" in message.body
    assert ("cancel", f"booking:{code}") in audit(db)


def test_move_on_behalf_under_capacity_then_refused_when_full(db, client, citizen, officer, clock):
    code = book(citizen)
    ten = session_id(db, "10:00")
    done = post(
        client, f"/bookings/PLG/{code}/move", f"/bookings/PLG/{code}", new_date="2026-12-03", session_id=str(ten)
    )
    assert "dipindah ke Kamis, 3 Desember 2026, 10:00-12:00; warga diberi tahu." in text(done)
    moved = booking(db, code)
    assert (moved.date, moved.session_id) == (THU, ten)
    assert len(outbox(db, "office_moved")) == 1

    with db.transaction() as session:
        session.execute(update(OfficeSession).where(OfficeSession.id == session_id(db, "13:00")).values(capacity=1))
    make_booking(db, "+6281311112222", 2, WED, "13:00", now=clock())
    full = post(
        client,
        f"/bookings/PLG/{code}/move",
        f"/bookings/PLG/{code}",
        new_date="2026-12-02",
        session_id=str(session_id(db, "13:00")),
    )
    assert "Penuh: Rabu, 2 Desember 2026 sudah 1 dari 1 tempat terisi." in text(full)
    assert booking(db, code).date == THU
    assert len(outbox(db, "office_moved")) == 1


# --- search and CSV ----------------------------------------------------------------------------------


def test_search_by_code_and_by_phone(db, client, citizen, officer):
    code = book(citizen)
    by_code = text(client.get(f"/bookings/search?q={code.lower().replace('-', '')}"))
    assert code in by_code and "Budi Santoso" in by_code and "************0001" in by_code
    by_phone = text(client.get("/bookings/search?q=0812-3456-7890"))
    assert code in by_phone
    nothing = text(client.get("/bookings/search?q=%3Cscript%3E"))
    assert "Tidak ada booking untuk" in nothing and "<script>" not in nothing


def test_the_day_downloads_as_csv_with_masked_nik(db, client, citizen, officer):
    code = book(citizen)
    response = client.get("/bookings/day.csv?office=PLG&date=2026-12-02")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert [(r["code"], r["nik"], r["status"]) for r in rows] == [(code, "************0001", "booked")]
    assert nik(1) not in text(response)


# --- quota and calendar -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/quota", "/audit"])
def test_a_plain_officer_may_not_open_quota_or_audit(client, officer, path):
    assert client.get(path).status_code == 403
    assert client.post("/quota/PLG/close", data={"csrf_token": token(client), "date": "2026-12-03"}).status_code == 403


def test_a_supervisor_sets_capacity_but_never_below_booked(db, client, citizen, supervisor, clock):
    book(citizen)
    make_booking(db, "+6281311112222", 2, WED, "08:00", now=clock())
    eight = str(session_id(db, "08:00"))
    done = text(
        post(
            client,
            "/quota/PLG/capacity",
            "/quota",
            session_id=eight,
            first="2026-12-03",
            last="2026-12-04",
            capacity="20",
        )
    )
    assert "Kapasitas 20 disimpan untuk 2 tanggal" in done
    assert ("capacity", f"session:{eight}") in audit(db)
    assert "<dt>Kapasitas</dt><dd>20</dd>" in text(client.get("/bookings?office=PLG&date=2026-12-03"))
    refused = text(
        post(
            client,
            "/quota/PLG/capacity",
            "/quota",
            session_id=eight,
            first="2026-12-02",
            last="2026-12-04",
            capacity="1",
        )
    )
    assert "Rabu, 2 Desember 2026 sudah 2 tempat terpesan atau ditahan, lebih dari 1" in refused
    assert "<dt>Kapasitas</dt><dd>50</dd>" in text(client.get("/bookings?office=PLG&date=2026-12-02"))
    bad = text(post(client, "/quota/PLG/capacity", "/quota", session_id=eight, first="2026-12-02", capacity="lots"))
    assert "Periksa isian" in bad


def test_closing_a_date_tells_the_citizens_booked_on_it(db, client, citizen, supervisor):
    code = book(citizen)
    done = text(post(client, "/quota/PLG/close", "/quota", date="2026-12-02", reason="Listrik padam"))
    assert "Rabu, 2 Desember 2026 ditutup; 1 warga diberi tahu." in done
    (message,) = outbox(db, "date_closed")
    assert code in message.body and "UBAH" in message.body
    assert "Listrik padam" in done  # listed among the closed dates, with a reopen button
    again = text(post(client, "/quota/PLG/close", "/quota", date="2026-12-02"))
    assert "sudah tutup" in again
    reopened = text(post(client, "/quota/PLG/reopen", "/quota", date="2026-12-02"))
    assert "dibuka lagi; 1 warga diberi tahu." in reopened


def test_an_extra_saturday_session_appears_in_the_day(db, client, supervisor):
    before = text(client.get("/bookings?office=PLG&date=2026-12-05"))
    assert "bukan hari layanan" in before
    done = text(
        post(client, "/quota/PLG/extra", "/quota", date="2026-12-05", start="08:00", end="12:00", capacity="30")
    )
    assert "Sesi tambahan Sabtu, 5 Desember 2026, 08:00-12:00 (30 tempat) dibuka." in done
    day = text(client.get("/bookings?office=PLG&date=2026-12-05"))
    assert "08:00–12:00" in day and "Sesi tambahan" in day and "<dt>Kapasitas</dt><dd>30</dd>" in day
    overlap = text(
        post(client, "/quota/PLG/extra", "/quota", date="2026-12-05", start="09:00", end="10:00", capacity="5")
    )
    assert "Bertabrakan dengan sesi 08:00-12:00" in overlap


def test_quota_of_another_office_is_not_found(db, client, supervisor):
    with db.transaction() as session:
        load_offices(session, parse_offices(tomllib.loads(JKT)))
    assert client.get("/quota?office=JKT").status_code == 404
    form = {"csrf_token": token(client, "/quota"), "date": "2026-12-03"}
    assert client.post("/quota/JKT/close", data=form).status_code == 404


# --- CSRF ------------------------------------------------------------------------------------------


def test_a_post_without_csrf_is_refused_and_changes_nothing(db, client, citizen, supervisor, clock):
    code = book(citizen)
    clock.advance(days=1)
    assert client.post(f"/bookings/PLG/{code}/check-in", data={"date": "2026-12-02"}).status_code == 400
    assert client.post(f"/bookings/PLG/{code}/cancel", data={}).status_code == 400
    assert client.post("/quota/PLG/close", data={"date": "2026-12-03"}).status_code == 400
    assert booking(db, code).status == "booked"
    assert audit(db) == []


# --- audit ------------------------------------------------------------------------------------------


def test_the_audit_log_shows_who_did_what_newest_first_and_pages(db, client, citizen, supervisor):
    code = book(citizen)
    post(client, f"/bookings/PLG/{code}/cancel", f"/bookings/PLG/{code}")
    post(client, "/quota/PLG/close", "/quota", date="2026-12-03")
    page = text(client.get("/audit"))
    assert page.index("Tutup tanggal") < page.index("Batal untuk warga")
    assert "sari" in page and code in page
    import hotline.audit_log as audit_log

    old, audit_log.PAGE_EVENTS = audit_log.PAGE_EVENTS, 1
    try:
        first = text(client.get("/audit"))
        older = re.search(r'href="(/audit\?before=\d+)"', first).group(1)
        second = text(client.get(older.replace("&amp;", "&")))
        assert "Batal untuk warga" in second and "Tutup tanggal" not in second
    finally:
        audit_log.PAGE_EVENTS = old
    assert client.get("/audit?before=999999").status_code == 400


def test_the_audit_log_keeps_to_the_readers_offices(db, client, app, clock):
    with db.transaction() as session:
        load_offices(session, parse_offices(tomllib.loads(JKT)))
    make_officer(db, "sari", "supervisor", offices=("PLG",))
    make_officer(db, "joko", "supervisor", offices=("JKT",))
    sign_in(client, "sari")
    post(client, "/quota/PLG/close", "/quota", date="2026-12-03")
    other = app.test_client()
    sign_in(other, "joko")
    assert "Tutup tanggal" not in text(other.get("/audit"))
    assert other.get("/audit?office=PLG").status_code == 404
    assert "Tutup tanggal" in text(client.get("/audit"))


def test_supervisors_see_quota_and_audit_in_the_menu_and_officers_do_not(db, client):
    from tests.builders import make_officer
    from tests.hotline.test_auth import sign_in

    make_officer(db, "plain")
    sign_in(client, "plain")
    menu = client.get("/bookings").get_data(as_text=True)
    assert 'href="/quota"' not in menu and 'href="/audit"' not in menu
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', menu).group(1)})
    make_officer(db, "chief", role="supervisor")
    sign_in(client, "chief")
    menu = client.get("/bookings").get_data(as_text=True)
    assert 'href="/quota"' in menu and 'href="/audit"' in menu
