"""What the hotline refuses to start with: demo mode beside a real Twilio token or on an address
others reach, and a served web app without SECRET_KEY."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hotline import create_app
from hotline.config import check_for_serving, is_loopback

ROOT = Path(__file__).resolve().parent.parent.parent


def test_demo_mode_with_a_twilio_auth_token_is_refused(db):
    with pytest.raises(RuntimeError, match="TWILIO_AUTH_TOKEN"):
        create_app({"DATABASE_URL": db.url, "DEMO": True, "TWILIO_AUTH_TOKEN": "a-real-token"})


def test_serving_without_a_secret_key_is_refused_and_says_how_to_make_one(db):
    app = create_app({"DATABASE_URL": db.url, "SECRET_KEY": None, "TWILIO_AUTH_TOKEN": "t"})
    with pytest.raises(RuntimeError, match="secrets.token_hex"):
        check_for_serving({**app.config, "SECRET_KEY": None, "TESTING": False})
    check_for_serving({**app.config, "SECRET_KEY": "k" * 64, "TESTING": False})  # set: serves
    check_for_serving({"DEMO": True, "SECRET_KEY": None})  # demo makes its own


def wsgi(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_")) and k != "SECRET_KEY"}
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_wsgi_refuses_to_start_without_a_secret_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    refused = wsgi({"DATABASE_URL": url, "TWILIO_AUTH_TOKEN": "t"})
    assert refused.returncode != 0 and "SECRET_KEY is not set" in refused.stderr
    assert wsgi({"DATABASE_URL": url, "TWILIO_AUTH_TOKEN": "t", "SECRET_KEY": "k" * 64}).returncode == 0
    assert wsgi({"DATABASE_URL": url, "HOTLINE_DEMO": "1"}).returncode == 0


@pytest.mark.parametrize(
    "host, loopback",
    [("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("", False), ("hotline.example", False)],
)  # fmt: skip
def test_only_loopback_addresses_count_as_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_gunicorn_refuses_demo_mode_on_an_address_others_reach(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'h.db'}", HOTLINE_DEMO="1", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", "0.0.0.0:0", "--workers", "1", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "demo mode serves only on this machine" in done.stderr
