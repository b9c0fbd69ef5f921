"""Officers' sign-in: accounts from the CLI, sessions, throttling, roles, offices, CSRF and headers."""

from __future__ import annotations

import re
import tomllib

import pytest
from flask import abort, jsonify, render_template_string
from flask_login import current_user
from sqlalchemy import func, select

from hotline import create_app
from hotline.auth import login_required, office_ids_for, role_required
from hotline.cli import main
from hotline.i18n import TEXTS
from storage.models import LoginAttempt, Office, Officer
from storage.officers import office_clause, officer_by_username, update_officer
from storage.offices import load_offices, parse_offices
from storage.tokens import create_token
from tests.builders import PASSWORD, make_officer

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
JKT = """
[[office]]
code = "JKT"
name = "Kantor Imigrasi Kelas I Jakarta Selatan"
hotline = "0812-1111-2222"
  [[office.sessions]]
  start = "08:00"
  end = "12:00"
  capacity = 80
"""


def csrf_token(client, path="/login") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return CSRF_RE.search(page).group(1)


def sign_in(client, username="budi", password=PASSWORD, address="127.0.0.1", next=None):
    form = {"csrf_token": csrf_token(client), "username": username, "password": password}
    if next is not None:
        form["next"] = next
    return client.post("/login", data=form, environ_base={"REMOTE_ADDR": address})


def post(client, path, **form):
    """Post a form from a page, with the CSRF token that page carried."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/login"), **form})


def text(response) -> str:
    return response.get_data(as_text=True)


def attempts(db) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(LoginAttempt))


# --- the CLI ------------------------------------------------------------------------------------


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(main, list(args), input=input)


def test_officer_create_reads_the_password_from_stdin_and_never_prints_it(app, db, client):
    result = run(
        app,
        "officer",
        "create",
        "Budi",
        "--role",
        "officer",
        "--office",
        "plg",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "officer budi created: officer, PLG\n"
    assert PASSWORD not in result.output
    with db.transaction() as session:
        stored = officer_by_username(session, "budi").password_hash
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    assert sign_in(client, "budi", PASSWORD).status_code == 302


def test_officer_create_refuses_a_duplicate_and_updates_only_when_asked(app, db, client):
    make_officer(db)
    again = run(app, "officer", "create", "budi", "--role", "admin", "--password-stdin", input="another-password\n")
    assert again.exit_code == 1
    assert "officer 'budi' already exists" in again.output and "--update" in again.output
    updated = run(
        app, "officer", "create", "budi", "--update", "--role", "admin", "--password-stdin", input="another-password\n"
    )
    assert updated.exit_code == 0, updated.output
    assert updated.output == "officer budi updated: admin, every office\n"
    assert sign_in(client, "budi", PASSWORD).status_code == 200  # the old password no longer works
    assert sign_in(client, "budi", "another-password").status_code == 302


@pytest.mark.parametrize(
    "args, words",
    [
        (["--role", "officer", "--office", "XYZ"], "unknown office code XYZ (known: PLG)"),
        (["--role", "officer"], "must serve at least one office"),
        (["--office", "PLG"], "--role is required"),
        (["--role", "boss", "--office", "PLG"], "Invalid value for '--role'"),
    ],
)
def test_officer_create_explains_a_mistake_and_writes_nothing(app, db, args, words):
    result = run(app, "officer", "create", "budi", *args, "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert words in result.output
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Officer)) == 0


def test_officer_create_refuses_a_short_password(app):
    result = run(app, "officer", "create", "budi", "--role", "admin", "--password-stdin", input="short\n")
    assert result.exit_code == 1 and "at least 10 characters" in result.output


# --- signing in and out -------------------------------------------------------------------------


def test_sign_in_lands_on_the_home_page_with_the_officers_offices(db, client):
    make_officer(db)
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = text(client.get("/"))
    assert "Selamat datang, budi." in home
    assert "Kantor Imigrasi Kelas I Palembang" in home
    assert 'href="/inbox"' in home and 'href="/bookings"' in home
    with db.transaction() as session:
        assert session.scalars(select(LoginAttempt.succeeded)).all() == [True]


@pytest.mark.parametrize("username, password", [("budi", "wrong-password"), ("nobody", PASSWORD), ("budi", "")])
def test_a_failed_sign_in_says_so_and_signs_nobody_in(db, client, username, password):
    make_officer(db)
    response = sign_in(client, username, password)
    if password:
        assert response.status_code == 200
        assert "Nama pengguna atau kata sandi salah." in text(response)
    else:
        assert response.status_code == 400 and "Isi nama pengguna dan kata sandi." in text(response)
    assert client.get("/").status_code == 302


def test_an_inactive_officer_cannot_sign_in(db, client):
    make_officer(db)
    with db.transaction() as session:
        update_officer(session, "budi", active=False)
    assert "kata sandi salah" in text(sign_in(client))


def test_sign_out_ends_the_session(db, client):
    make_officer(db)
    sign_in(client)
    assert client.get("/").status_code == 200
    page = text(client.get("/"))
    response = client.post("/logout", data={"csrf_token": CSRF_RE.search(page).group(1)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Anda sudah keluar." in text(client.get("/login"))
    assert client.get("/").status_code == 302


def test_a_page_requiring_sign_in_redirects_to_the_login_page_and_back(db, client):
    make_officer(db)
    response = client.get("/?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/?tab%3D1"
    assert "Silakan masuk terlebih dahulu." in text(client.get(response.headers["Location"]))
    signed_in = sign_in(client, next="/?tab=1")
    assert signed_in.headers["Location"] == "/?tab=1"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_sign_in_never_sends_the_officer_to_another_site(db, client, target):
    make_officer(db)
    assert sign_in(client, next=target).headers["Location"] == "/"


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(db, client):
    make_officer(db)
    sign_in(client)
    assert client.get("/").status_code == 200
    with db.transaction() as session:
        update_officer(session, "budi", password="a-brand-new-password")
    assert client.get("/").status_code == 302


def test_deactivating_an_officer_ends_their_session(db, client):
    make_officer(db)
    sign_in(client)
    with db.transaction() as session:
        update_officer(session, "budi", active=False)
    assert client.get("/").status_code == 302


# --- throttling ---------------------------------------------------------------------------------


def test_five_failures_for_a_username_refuse_even_the_right_password_until_the_window_passes(db, client, clock):
    make_officer(db)
    for number in range(5):
        assert sign_in(client, password="wrong-password", address=f"10.0.0.{number}").status_code == 200
    refused = sign_in(client, address="10.0.0.99")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "900"
    assert "Terlalu banyak percobaan masuk yang gagal. Tunggu 15 menit, lalu coba lagi." in text(refused)
    assert client.get("/").status_code == 302
    clock.advance(minutes=14)
    assert "Tunggu 1 menit" in text(sign_in(client, address="10.0.0.99"))
    clock.advance(minutes=1)
    assert sign_in(client, address="10.0.0.99").status_code == 302
    assert client.get("/").status_code == 200


def test_five_failures_from_an_address_refuse_it_for_every_username(db, client, clock):
    make_officer(db)
    for number in range(5):
        sign_in(client, f"guess{number}", "wrong-password", address="10.0.0.7")
    assert sign_in(client, address="10.0.0.7").status_code == 429
    assert sign_in(client, address="10.0.0.8").status_code == 302  # another address is let through


def test_the_throttle_message_is_in_english_too(db, client):
    post(client, "/language", language="en")
    for _ in range(5):
        sign_in(client, password="wrong-password")
    assert "Too many failed sign-in attempts. Wait 15 min, then try again." in text(sign_in(client))


def test_the_limits_come_from_the_configuration(db, clock):
    strict = create_app({"TESTING": True, "DATABASE_URL": db.url, "CLOCK": clock, "LOGIN_THROTTLE_FAILURES": 2})
    client = strict.test_client()
    make_officer(db)
    sign_in(client, password="wrong-password")
    sign_in(client, password="wrong-password")
    assert sign_in(client).status_code == 429


# --- cookies, headers, CSRF ---------------------------------------------------------------------


def session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("hotline_session="))


def test_the_session_cookie_is_secure_httponly_and_lax_over_https(db, client):
    make_officer(db)
    cookie = session_cookie(sign_in(client))  # the app fixture's PUBLIC_URL is https
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a sign-in lasts SESSION_HOURS, not until some browser closes


def test_the_session_cookie_is_not_secure_over_plain_http(db, clock):
    make_officer(db)
    plain = create_app({"TESTING": True, "DATABASE_URL": db.url, "CLOCK": clock, "PUBLIC_URL": "http://127.0.0.1:5000"})
    cookie = session_cookie(sign_in(plain.test_client()))
    assert "Secure" not in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie


@pytest.mark.parametrize("path", ["/login", "/", "/no-such-page", "/static/style.css"])
def test_every_page_carries_a_content_security_policy(db, client, path):
    make_officer(db)
    sign_in(client)
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_script_or_style(db, client):
    make_officer(db)
    sign_in(client)
    for page in (text(client.get("/login")), text(client.get("/"))):
        assert "<script" not in page and "style=" not in page and "<style" not in page


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(db, client):
    make_officer(db)
    refused = client.post("/login", data={"username": "budi", "password": PASSWORD})
    assert refused.status_code == 400
    assert "Formulir kedaluwarsa" in text(refused)
    assert attempts(db) == 0 and client.get("/").status_code == 302

    sign_in(client)
    assert client.post("/logout").status_code == 400
    assert client.post("/language", data={"language": "en"}).status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/").status_code == 200  # still signed in
    with db.transaction() as session:
        assert officer_by_username(session, "budi").language == "id"


def test_a_csrf_token_from_another_session_is_refused(db, client, app):
    make_officer(db)
    stranger_token = csrf_token(app.test_client())
    response = client.post("/login", data={"csrf_token": stranger_token, "username": "budi", "password": PASSWORD})
    assert response.status_code == 400 and attempts(db) == 0


def test_without_csrf_protection_a_post_needs_no_token(db, clock):
    # Only a test that turns CSRF off explicitly gets this far without a token.
    lax = create_app({"TESTING": True, "DATABASE_URL": db.url, "CLOCK": clock, "WTF_CSRF_ENABLED": False})
    make_officer(db)
    response = lax.test_client().post("/login", data={"username": "budi", "password": PASSWORD})
    assert response.status_code == 302


def test_the_api_still_works_with_a_bearer_token_and_no_cookie_or_csrf_token(db, client, clock):
    with db.transaction() as session:
        token = create_token(session, "dashboard", clock())
    response = client.get("/api/v1/offices", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["offices"][0]["code"] == "PLG"
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/v1/offices").status_code == 401
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and "error" in missing.get_json()


def test_the_webhook_still_works_without_a_csrf_token(citizen, client):
    response = citizen.post("halo")
    assert response.status_code == 200 and "<Message>" in text(response)
    assert "Set-Cookie" not in response.headers


def test_the_webhook_still_refuses_an_unsigned_post(client):
    form = {
        "MessageSid": "SM" + "0" * 32,
        "From": "whatsapp:+6281234567890",
        "To": "whatsapp:+6282176190771",
        "Body": "halo",
    }
    assert client.post("/twilio/inbound", data=form).status_code == 403  # the signature check, not CSRF


# --- roles and offices --------------------------------------------------------------------------


@pytest.fixture
def guarded(app, db):
    """The app with pages guarded as later blueprints will guard theirs."""
    with db.transaction() as session:
        load_offices(session, parse_offices(tomllib.loads(JKT)))

    @app.get("/test/supervisors")
    @role_required("supervisor", "admin")
    def supervisors_only():
        return "for supervisors"

    @app.get("/test/offices/<int:office_id>")
    @login_required
    def one_office(office_id: int):
        ids = office_ids_for(current_user)
        if ids is not None and office_id not in ids:
            abort(404)
        return "office page"

    @app.get("/test/my-offices")
    @login_required
    def my_offices():
        ids = office_ids_for(current_user)
        with db.transaction() as session:
            codes = session.scalars(
                select(Office.code).where(office_clause(Office.id, ids)).order_by(Office.code)
            ).all()
        return jsonify(ids=None if ids is None else sorted(ids), codes=codes)

    with db.transaction() as session:
        return {o.code: o.id for o in session.scalars(select(Office))}


def test_role_required_refuses_a_plain_officer(db, client, guarded):
    make_officer(db, "budi", "officer")
    make_officer(db, "sari", "supervisor")
    assert client.get("/test/supervisors").status_code == 302  # not signed in: sign in first
    sign_in(client, "budi")
    forbidden = client.get("/test/supervisors")
    assert forbidden.status_code == 403 and "Tidak diizinkan" in text(forbidden)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, "sari")
    assert client.get("/test/supervisors").status_code == 200


def test_role_required_names_real_roles():
    with pytest.raises(ValueError):
        role_required("chief")
    with pytest.raises(ValueError):
        role_required()


def test_an_officer_sees_only_their_offices_and_an_admin_all(db, app, guarded):
    plg, jkt = guarded["PLG"], guarded["JKT"]
    make_officer(db, "budi", "officer", ("PLG",))
    make_officer(db, "boss", "admin", ())
    officer, admin = app.test_client(), app.test_client()
    sign_in(officer, "budi")
    sign_in(admin, "boss")
    assert officer.get(f"/test/offices/{plg}").status_code == 200
    hidden = officer.get(f"/test/offices/{jkt}")
    assert hidden.status_code == 404 and "bukan untuk kantor Anda" in text(hidden)
    assert officer.get("/test/my-offices").get_json() == {"ids": [plg], "codes": ["PLG"]}
    assert admin.get(f"/test/offices/{jkt}").status_code == 200
    assert admin.get("/test/my-offices").get_json() == {"ids": None, "codes": ["JKT", "PLG"]}
    home = text(admin.get("/"))
    assert "Semua kantor" in home and "Jakarta Selatan" in home


def test_office_ids_for_someone_not_signed_in_is_empty(app):
    from flask_login import AnonymousUserMixin

    assert office_ids_for(AnonymousUserMixin()) == set()
    assert office_ids_for(None) == set()


# --- escaping and language ----------------------------------------------------------------------


def test_citizen_text_is_escaped_in_pages(app):
    page = '{% extends "base.html" %}{% block content %}<p>{{ body }}</p>{% endblock %}'
    with app.test_request_context("/"):
        html = render_template_string(page, body="<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_a_username_typed_at_sign_in_comes_back_escaped(db, client):
    response = sign_in(client, '"><script>alert(1)</script>', "wrong-password")
    assert "<script>alert(1)</script>" not in text(response)
    assert "&lt;script&gt;" in text(response)


def test_pages_are_in_indonesian_and_switch_to_english(db, client):
    make_officer(db)
    assert '<html lang="id">' in text(client.get("/login"))
    switched = post(client, "/language", language="en", next="/login")
    assert switched.headers["Location"] == "/login"
    page = text(client.get("/login"))
    assert '<html lang="en">' in page and "Officer sign-in" in page and "Bahasa Indonesia" in page
    sign_in(client)
    assert "Welcome, budi." not in text(client.get("/"))  # a signed-in officer reads their own language
    post(client, "/language", language="en")
    assert "Welcome, budi." in text(client.get("/"))
    with db.transaction() as session:
        assert officer_by_username(session, "budi").language == "en"


def test_an_unknown_language_is_refused(client):
    assert post(client, "/language", language="fr").status_code == 400


def test_every_ui_text_is_in_both_languages_with_the_same_placeholders():
    placeholder = re.compile(r"\{(\w+)\}")
    for key, entry in TEXTS.items():
        assert set(entry) == {"id", "en"}, key
        assert all(entry.values()), key
        assert set(placeholder.findall(entry["id"])) == set(placeholder.findall(entry["en"])), key


def test_sign_ins_failed_refused_and_succeeded_are_in_the_audit_log_without_what_was_typed(db, app, client):
    from storage.models import AuditEvent

    make_officer(db)
    app.config["LOGIN_THROTTLE_ADDRESS_FAILURES"] = 2
    sign_in(client, password="my-secret-typed-as-username", address="10.0.0.7")
    sign_in(client, username="my-password-typed-here", address="10.0.0.7")
    sign_in(client, address="10.0.0.7")  # refused: two failures from here
    other = app.test_client()
    assert sign_in(other, address="10.0.0.8").status_code == 302
    with db.transaction() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == ["sign_in_failed", "sign_in_failed", "sign_in_refused", "sign_in"]
        assert [e.details["address"] for e in events] == ["10.0.0.7"] * 3 + ["10.0.0.8"]
        assert events[-1].officer_id is not None and events[-1].subject == "officer budi"
        assert all(e.officer_id is None for e in events[:3])
        written = repr([(e.subject, e.details) for e in events])
        assert "my-secret" not in written and "my-password" not in written


# --- sessions that end ----------------------------------------------------------------------------


def captured(client) -> str:
    return client.get_cookie("hotline_session").value


def with_cookie(app, value: str):
    thief = app.test_client()
    thief.set_cookie("hotline_session", value)
    return thief


def test_signing_out_ends_the_session_a_captured_cookie_held(db, app, client):
    make_officer(db)
    sign_in(client)
    cookie = captured(client)
    assert with_cookie(app, cookie).get("/inbox").status_code == 200
    post(client, "/logout")
    assert with_cookie(app, cookie).get("/inbox").status_code == 302  # to the sign-in page


def test_signing_out_in_one_browser_ends_the_officers_sessions_in_every_other(db, app, client):
    make_officer(db)
    other = app.test_client()
    sign_in(client)
    sign_in(other)
    post(client, "/logout")
    assert other.get("/inbox").status_code == 302
    assert sign_in(other).status_code == 302 and other.get("/inbox").status_code == 200  # signs in again


def test_a_sign_in_ends_after_session_hours_however_often_the_inbox_polls(db, app, client, clock):
    make_officer(db)
    sign_in(client)
    cookie = captured(client)
    for _ in range(11):
        clock.advance(hours=1)
        assert client.get("/inbox").status_code == 200  # a poll, every hour of a working day
    clock.advance(minutes=59)
    assert client.get("/inbox").status_code == 200
    clock.advance(minutes=2)  # 12 h and a minute after the sign-in (SESSION_HOURS 12)
    assert client.get("/inbox").status_code == 302
    assert with_cookie(app, cookie).get("/inbox").status_code == 302


def test_a_poll_does_not_renew_the_session_cookie(db, client):
    make_officer(db)
    sign_in(client)
    client.get("/inbox")  # the first page after the sign-in keeps its forms' CSRF token in the session
    polled = client.get("/inbox")
    assert not [h for h in polled.headers.getlist("Set-Cookie") if h.startswith("hotline_session=")]


def test_officer_list_disable_and_enable_from_the_cli(app, db, client):
    make_officer(db)
    make_officer(db, "ani", role="admin", offices=())
    listed = run(app, "officer", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "ani   admin    every office  active",
        "budi  officer  PLG           active",
    ]
    assert sign_in(client).status_code == 302 and client.get("/inbox").status_code == 200
    disabled = run(app, "officer", "disable", "BUDI")
    assert (disabled.exit_code, disabled.output) == (0, "officer budi disabled: signed out, may not sign in\n")
    assert client.get("/inbox").status_code == 302  # the open session ends at its next request
    assert sign_in(client).status_code == 200  # refused: the sign-in page again
    assert run(app, "officer", "list").output.splitlines()[1].endswith("disabled")
    assert run(app, "officer", "enable", "budi").exit_code == 0
    assert sign_in(client).status_code == 302
    unknown = run(app, "officer", "disable", "nobody")
    assert unknown.exit_code == 1 and "no officer 'nobody'" in unknown.output
