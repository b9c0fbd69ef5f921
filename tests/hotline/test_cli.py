"""The `hotline` command: init, office load, token create, chat."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from hotline import create_app
from hotline.cli import main
from storage.models import Office, OfficeSession
from storage.tokens import token_holder

OFFICE_FILE = """
[[office]]
code = "JKT"
name = "Kantor Imigrasi Kelas I Jakarta Selatan"
hotline = "0812-1111-2222"
timezone = "Asia/Jakarta"
days = ["mon", "tue", "wed", "thu", "fri", "sat"]
book_ahead_days = 14
closed = ["2026-12-31"]
  [[office.sessions]]
  start = "08:00"
  end = "12:00"
  capacity = 80
"""


@pytest.fixture
def cli_app(database_url, clock):
    return create_app({"DATABASE_URL": database_url, "CLOCK": clock, "TWILIO_AUTH_TOKEN": "t"})


def run(app, *args, input=None):
    result = app.test_cli_runner().invoke(main, list(args), input=input)
    return result


def test_init_loads_the_default_office_once_and_is_safe_to_run_again(cli_app):
    first = run(cli_app, "init")
    assert first.exit_code == 0, first.output
    assert "office PLG: created" in first.output
    again = run(cli_app, "init")
    assert again.exit_code == 0 and "office PLG" not in again.output
    db = cli_app.extensions["hotline.db"]
    with db.transaction() as session:
        office = session.scalar(select(Office))
        sessions = session.scalars(select(OfficeSession).order_by(OfficeSession.start)).all()
    assert (office.code, office.hotline, office.timezone, office.book_ahead_days) == (
        "PLG",
        "+6282176190771",
        "Asia/Jakarta",
        30,
    )
    assert [(s.start, s.end, s.capacity) for s in sessions] == [
        ("08:00", "10:00", 50),
        ("10:00", "12:00", 50),
        ("13:00", "15:00", 50),
    ]


def test_office_load_creates_then_updates_idempotently(cli_app, tmp_path):
    run(cli_app, "init")
    path = tmp_path / "offices.toml"
    path.write_text(OFFICE_FILE)
    assert "office JKT: created" in run(cli_app, "office", "load", str(path)).output
    assert "office JKT: unchanged" in run(cli_app, "office", "load", str(path)).output
    path.write_text(OFFICE_FILE.replace("capacity = 80", "capacity = 90"))
    assert "office JKT: updated" in run(cli_app, "office", "load", str(path)).output
    with cli_app.extensions["hotline.db"].transaction() as session:
        office = session.scalar(select(Office).where(Office.code == "JKT"))
        assert office.hotline == "+6281211112222"
        assert [s.capacity for s in office.sessions] == [90]


@pytest.mark.parametrize(
    "content, words",
    [
        ("not toml [", "not valid TOML"),
        ("[[office]]\ncode = 'jkt'", "code must be 2-5 capital letters"),
        (OFFICE_FILE.replace('"Asia/Jakarta"', '"Mars/Olympus"'), "unknown timezone"),
        (OFFICE_FILE.replace('"0812-1111-2222"', '"12"'), "hotline must be a valid phone number"),
    ],
)
def test_office_load_explains_a_bad_file_and_writes_nothing(cli_app, tmp_path, content, words):
    run(cli_app, "init")
    path = tmp_path / "bad.toml"
    path.write_text(content)
    result = run(cli_app, "office", "load", str(path))
    assert result.exit_code != 0
    assert words in result.output
    with cli_app.extensions["hotline.db"].transaction() as session:
        assert [o.code for o in session.scalars(select(Office))] == ["PLG"]


def test_token_create_prints_the_token_as_the_last_word(cli_app):
    run(cli_app, "init")
    result = run(cli_app, "token", "create", "dashboard")
    assert result.exit_code == 0
    token = result.output.split()[-1]
    with cli_app.extensions["hotline.db"].transaction() as session:
        holder = token_holder(session, token, dt.datetime.now(dt.UTC))
        assert holder is not None and holder.name == "dashboard"
    response = cli_app.test_client().get("/api/v1/offices", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_chat_books_through_the_same_path_as_the_webhook(cli_app):
    run(cli_app, "init")
    lines = "\n".join(["halo", "1", "baru elektronik", "Budi Santoso", "1671014501900001", "besok", "1", "ya"]) + "\n"
    result = run(cli_app, "chat", "--from", "081234567890", "--whatsapp", input=lines)
    assert result.exit_code == 0, result.output
    assert "Booking berhasil. Kode: PLG-" in result.output
    assert "Rabu, 2 Desember 2026" in result.output


def test_chat_refuses_a_bad_number(cli_app):
    run(cli_app, "init")
    result = run(cli_app, "chat", "--from", "hello")
    assert result.exit_code != 0 and "not a valid phone number" in result.output


def test_token_create_list_and_revoke(cli_app):
    run(cli_app, "init")
    made = run(cli_app, "token", "create", "dashboard", "--office", "plg", "--days", "30")
    assert made.exit_code == 0, made.output
    token = made.output.split()[-1]
    listed = run(cli_app, "token", "list")
    assert listed.exit_code == 0
    [line] = listed.output.splitlines()
    assert line.split()[:4] == ["1", "dashboard", "PLG", "masked"] and "expires 2026-12-31" in line
    assert "never used" in line and token not in listed.output
    headers = {"Authorization": f"Bearer {token}"}
    assert cli_app.test_client().get("/api/v1/offices", headers=headers).status_code == 200
    assert "used 2026-12-01" in run(cli_app, "token", "list").output
    revoked = run(cli_app, "token", "revoke", "1")
    assert (revoked.exit_code, revoked.output) == (0, "token 1 (dashboard) revoked\n")
    assert cli_app.test_client().get("/api/v1/offices", headers=headers).status_code == 401
    assert "revoked 2026-12-01" in run(cli_app, "token", "list").output
    assert run(cli_app, "token", "revoke", "9").exit_code == 1
    bad = run(cli_app, "token", "create", "x", "--office", "XYZ")
    assert bad.exit_code == 1 and "no office XYZ" in bad.output
