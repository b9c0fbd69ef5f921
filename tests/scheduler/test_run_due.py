"""`hotline jobs run-due` as operators and cron run it: real processes, real Twilio client, fake Twilio server."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from storage.models import Booking, Message
from tests.conftest import WIB
from tests.fakes import twilio_server
from tests.fakes.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, Hang

# Wednesday 2 December 2026, 09:00 in Palembang: reminders for Thursday's appointments are due.
REMINDER_TIME = "2026-12-02T09:00:00+07:00"


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    server = twilio_server.start()
    yield server
    twilio_server.stop(server)


def environment(db, fake: FakeTwilio) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HOTLINE_", "PUBLIC_URL"))}
    env.update(
        {
            "DATABASE_URL": db.url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_URL": fake.url,
            "PUBLIC_URL": "https://hotline.example.org",
        }
    )
    return env


def run_due(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hotline", "jobs", "run-due", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def book_thursday(citizen, clock, count: int) -> list[str]:
    """Book `count` citizens into Thursday 3 December on Tuesday at noon; return their phones."""
    clock.set(dt.datetime(2026, 12, 1, 12, 0, tzinfo=WIB))
    phones = []
    for i in range(count):
        phone = f"+62812{5550000 + i:07d}"
        someone = citizen.other(phone)
        nik = f"167101{(i % 28) + 1:02d}0190{i + 1:04d}"
        for text in ("1", "baru biasa", f"Warga Nomor {chr(65 + i % 26)}", nik, "3/12", str(1 + i % 3)):
            someone.says(text)
        assert someone.says("YA")[0].startswith("Booking berhasil"), phone
        phones.append(phone)
    return phones


@pytest.mark.slow
def test_now_needs_an_offset_and_twilio_credentials_are_required(db, fake):
    env = environment(db, fake)
    naive = run_due(env, "--now", "2026-12-02T09:00")
    assert naive.wait(60) != 0 and "no UTC offset" in naive.stderr.read()
    env.pop("TWILIO_AUTH_TOKEN")
    missing = run_due(env, "--now", REMINDER_TIME)
    assert missing.wait(60) != 0 and "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in missing.stderr.read()


@pytest.mark.slow
def test_two_processes_at_the_same_moment_send_each_reminder_exactly_once(db, fake, citizen, clock):
    phones = book_thursday(citizen, clock, 12)
    # Each send takes a while, so the two processes' deliveries overlap.
    fake.fail_next(*[Hang(0.05, accept=True) for _ in range(6)])
    env = environment(db, fake)
    runs = [run_due(env, "--now", REMINDER_TIME) for _ in range(2)]
    for run in runs:
        assert run.wait(120) == 0, run.stderr.read()
    reminders = [m for m in fake.accepted if "YA" in m.get("Body", "") and "BATAL" in m.get("Body", "")]
    assert Counter(m["To"] for m in reminders) == Counter(f"whatsapp:{p}" for p in phones)
    with db.transaction() as session:
        rows = session.scalars(select(Message).where(Message.kind == "reminder")).all()
        assert len(rows) == len(phones)
        assert {r.delivery for r in rows} == {"sent"}
        assert all(b.reminded_at is not None for b in session.scalars(select(Booking)))


@pytest.mark.slow
def test_a_run_killed_in_the_middle_loses_nothing(db, fake, citizen, clock):
    phones = book_thursday(citizen, clock, 10)
    # Twilio is slow today: each message takes 0.3 s, so the run is killed half-way through.
    fake.fail_next(*[Hang(0.3, accept=False) for _ in range(4)])
    env = environment(db, fake)
    first = run_due(env, "--now", REMINDER_TIME)
    assert fake.wait_for_attempts(2, timeout=60)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    fake.script.clear()  # Twilio is quick again
    # Started again after the claim's lease has run out, everything still due goes.
    later = "2026-12-02T09:10:00+07:00"
    again = run_due(env, "--now", later)
    assert again.wait(120) == 0, again.stderr.read()
    reminders = [m for m in fake.accepted if "BATAL" in m.get("Body", "")]
    assert {m["To"] for m in reminders} == {f"whatsapp:{p}" for p in phones}
    # The hangs accepted nothing, so nothing was in Twilio's hands when the process died:
    # each citizen got exactly one reminder.
    assert len(reminders) == len(phones)
    with db.transaction() as session:
        assert {r.delivery for r in session.scalars(select(Message).where(Message.kind == "reminder"))} == {"sent"}
