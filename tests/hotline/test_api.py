"""The read-only JSON API under /api/v1."""

from __future__ import annotations

import pytest

from storage.tokens import create_token


@pytest.fixture
def token(db, clock):
    with db.transaction() as session:
        return create_token(session, "dashboard", clock())


def get(client, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, query_string=params, headers=headers)


@pytest.mark.parametrize(
    "path", ["/api/v1/offices", "/api/v1/availability?office=PLG", "/api/v1/bookings?office=PLG&date=2026-12-02"]
)
@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wrong-token", "Basic abc", "hl_x"])
def test_without_a_valid_token_every_endpoint_says_401(client, token, path, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert "token" in response.get_json()["error"]


def test_tokens_are_stored_hashed(db, token):
    from sqlalchemy import select

    from storage.models import ApiToken

    with db.transaction() as session:
        stored = session.scalar(select(ApiToken))
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_offices_lists_the_default_office(client, token):
    body = get(client, "/api/v1/offices", token).get_json()
    assert body == {
        "offices": [
            {
                "code": "PLG",
                "name": "Kantor Imigrasi Kelas I Palembang",
                "hotline": "+6282176190771",
                "timezone": "Asia/Jakarta",
            }
        ]
    }


def test_availability_shows_closed_days_and_counts_bookings_and_holds(client, token, citizen):
    # One citizen books 2 Dec 08:00, another holds a place in the same session.
    for text in ("1", "baru biasa", "Budi Santoso", "1671014501900001", "2/12", "1", "YA"):
        citizen.says(text)
    other = citizen.other("+6281298765432")
    for text in ("1", "baru biasa", "Ani", "1671015501900001", "2/12", "1"):
        other.says(text)
    body = get(
        client, "/api/v1/availability", token, office="PLG", **{"from": "2026-12-02", "to": "2026-12-06"}
    ).get_json()
    assert body["office"] == "PLG"
    assert [d["date"] for d in body["dates"]] == ["2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]
    assert [d["open"] for d in body["dates"]] == [True, True, True, False, False]  # weekend closed
    first = body["dates"][0]["sessions"][0]
    assert first == {"start": "08:00", "end": "10:00", "capacity": 50, "booked": 1, "held": 1, "available": 48}
    assert body["dates"][3]["sessions"] == []


def test_christmas_and_cuti_bersama_are_closed(client, token):
    body = get(
        client, "/api/v1/availability", token, office="plg", **{"from": "2026-12-24", "to": "2026-12-25"}
    ).get_json()
    assert [d["open"] for d in body["dates"]] == [False, False]


def test_bookings_of_a_day_with_the_nik_masked(client, token, citizen):
    for text in ("1", "hilang elektronik", "Budi Santoso", "1671014501900001", "2/12", "3", "YA"):
        replies = citizen.says(text)
    code = replies[0].split("Kode: ")[1].split(".")[0]
    body = get(client, "/api/v1/bookings", token, office="PLG", date="2026-12-02").get_json()
    [booking] = body["bookings"]
    assert booking["code"] == code
    assert booking["nik"] == "************0001"
    assert {k: booking[k] for k in ("status", "phone", "channel", "service", "passport_type", "name", "date")} == {
        "status": "booked",
        "phone": "+62812****7890",  # masked: this token was not made to show full numbers
        "channel": "whatsapp",
        "service": "lost",
        "passport_type": "electronic",
        "name": "Budi Santoso",
        "date": "2026-12-02",
    }
    assert booking["session"] == {"start": "13:00", "end": "15:00"}
    assert booking["created_at"].startswith("2026-12-01T02:00:00")
    assert get(client, "/api/v1/bookings", token, office="PLG", date="2026-12-03").get_json() == {"bookings": []}


@pytest.mark.parametrize(
    "path, params, words",
    [
        ("/api/v1/availability", {}, "office is required"),
        ("/api/v1/availability", {"office": "XYZ"}, "unknown office"),
        ("/api/v1/availability", {"office": "PLG", "from": "2026-13-01"}, "from must be a date"),
        ("/api/v1/availability", {"office": "PLG", "from": "2026-12-10", "to": "2026-12-01"}, "to must not be before"),
        ("/api/v1/availability", {"office": "PLG", "from": "2026-01-01", "to": "2027-12-31"}, "at most"),
        ("/api/v1/bookings", {"office": "PLG"}, "date is required"),
        ("/api/v1/bookings", {"office": "PLG", "date": "tomorrow"}, "date must be a date"),
        ("/api/v1/bookings", {"date": "2026-12-02"}, "office is required"),
    ],
)
def test_bad_parameters_get_400_with_a_json_error(client, token, path, params, words):
    response = get(client, path, token, **params)
    assert response.status_code == 400
    assert words in response.get_json()["error"]


# --- tokens: offices, expiry, revocation, phone numbers --------------------------------------


def make_token(db, clock, **options) -> str:
    with db.transaction() as session:
        return create_token(session, "dashboard", clock(), **options)


def book_one(citizen) -> None:
    for text in ("1", "hilang elektronik", "Budi Santoso", "1671014501900001", "2/12", "3", "YA"):
        citizen.says(text)


def test_a_token_for_full_phone_numbers_gets_them(db, client, clock, citizen):
    book_one(citizen)
    full = make_token(db, clock, full_phones=True)
    [booking] = get(client, "/api/v1/bookings", full, office="PLG", date="2026-12-02").get_json()["bookings"]
    assert booking["phone"] == "+6281234567890"


def test_a_token_reads_only_its_offices(db, client, clock):
    from storage.offices import load_offices
    from tests.conftest import default_office_specs

    (plg,) = default_office_specs()
    jks = plg.__class__(**{**plg.__dict__, "code": "JKS", "name": "Jakarta Selatan", "hotline": "+62217996016"})
    with db.transaction() as session:
        load_offices(session, [jks])
    only_jks = make_token(db, clock, office_codes=["jks"])
    assert [o["code"] for o in get(client, "/api/v1/offices", only_jks).get_json()["offices"]] == ["JKS"]
    refused = get(client, "/api/v1/bookings", only_jks, office="PLG", date="2026-12-02")
    assert refused.status_code == 400 and "unknown office" in refused.get_json()["error"]
    assert get(client, "/api/v1/availability", only_jks, office="JKS").status_code == 200
    every = make_token(db, clock)
    assert [o["code"] for o in get(client, "/api/v1/offices", every).get_json()["offices"]] == ["JKS", "PLG"]


def test_a_token_stops_working_when_it_expires_or_is_revoked(db, client, clock):
    from storage.models import ApiToken
    from storage.tokens import revoke_token

    week = make_token(db, clock, days=7)
    assert get(client, "/api/v1/offices", week).status_code == 200
    clock.advance(days=7)
    assert get(client, "/api/v1/offices", week).status_code == 401
    fresh = make_token(db, clock)
    with db.transaction() as session:
        newest = session.query(ApiToken).order_by(ApiToken.id.desc()).first()
        revoke_token(session, newest.id, clock())
    assert get(client, "/api/v1/offices", fresh).status_code == 401


def test_a_token_records_when_it_was_last_used(db, client, clock):
    from sqlalchemy import select

    from storage.models import ApiToken

    token = make_token(db, clock)

    def last_used():
        with db.transaction() as session:
            return session.scalar(select(ApiToken.last_used_at))

    assert last_used() is None
    get(client, "/api/v1/offices", token)
    first = last_used()
    assert first == clock()
    clock.advance(minutes=1)
    get(client, "/api/v1/offices", token)
    assert last_used() == first  # not a write a call: every few minutes
    clock.advance(minutes=5)
    get(client, "/api/v1/offices", token)
    assert last_used() == clock()
