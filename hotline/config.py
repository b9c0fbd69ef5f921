"""Configuration from the environment, read in this one place."""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from collections.abc import Mapping
from typing import Any

from conversations.facts import HOLD_MINUTES, MAX_BOOKINGS_PER_PHONE

TRUE = {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise RuntimeError(f"{name} must be from {low} to {high}, got {value}")
    return value


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Return the app's settings from environment variables (see the README's table)."""
    return {
        "DATABASE_URL": environ.get("DATABASE_URL") or None,  # None: SQLite under instance/
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        "TWILIO_ACCOUNT_SID": environ.get("TWILIO_ACCOUNT_SID") or None,
        "TWILIO_AUTH_TOKEN": environ.get("TWILIO_AUTH_TOKEN") or None,
        "PUBLIC_URL": (environ.get("PUBLIC_URL") or "").rstrip("/") or None,
        # Demo mode serves the webhook without Twilio signatures: for trying it on a laptop.
        "DEMO": (environ.get("HOTLINE_DEMO") or "").lower() in TRUE,
        "HOLD_MINUTES": _int(environ, "HOTLINE_HOLD_MINUTES", HOLD_MINUTES, 1, 120),
        "MAX_BOOKINGS_PER_PHONE": _int(environ, "HOTLINE_MAX_BOOKINGS_PER_PHONE", MAX_BOOKINGS_PER_PHONE, 1, 50),
        # Where the REST client sends requests; None is Twilio itself (https://api.twilio.com).
        "TWILIO_API_URL": (environ.get("TWILIO_API_URL") or "").rstrip("/") or None,
        # Outbound messages a second from each sender number, shared by every scheduler process.
        "SEND_RATE": _int(environ, "HOTLINE_SEND_RATE", 10, 1, 1000),
        # Tries of one outbound message (retried with backoff) before it is marked failed.
        "SEND_MAX_ATTEMPTS": _int(environ, "HOTLINE_SEND_MAX_ATTEMPTS", 8, 1, 100),
        # Officers' sign-in: refused for a while after this many failures within the window,
        # for one username (since its last success) or from one address (an office behind one
        # NAT shares an address: raise the address limit there).
        "LOGIN_THROTTLE_FAILURES": _int(environ, "HOTLINE_LOGIN_FAILURES", 5, 1, 100),
        "LOGIN_THROTTLE_ADDRESS_FAILURES": _int(environ, "HOTLINE_LOGIN_ADDRESS_FAILURES", 5, 1, 10_000),
        "LOGIN_THROTTLE_MINUTES": _int(environ, "HOTLINE_LOGIN_THROTTLE_MINUTES", 15, 1, 24 * 60),
        # An officer's sign-in lasts this long (a working day), then they sign in again.
        "SESSION_HOURS": _int(environ, "HOTLINE_SESSION_HOURS", 12, 1, 24 * 7),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
        "PROXIES": _int(environ, "HOTLINE_PROXIES", 0, 0, 5),
        **_timeouts(environ),
    }


# The connection overrides the README gives for the webhook URL in the Twilio console (the part
# after #; www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides): Twilio connects
# within 3 s, waits 12 s for the answer, and tries again (up to 3 times within its 15 s) on a
# failed connection, a read time-out or a 5xx.
CONNECTION_OVERRIDES = "ct=3000&rt=12000&tt=15000&rc=3&rp=ct,rt,5xx"
TWILIO_BUDGET_SECONDS = 15  # Twilio's longest wait for a webhook, retries included (tt's maximum)


def _timeouts(environ: Mapping[str, str]) -> dict[str, Any]:
    """Return the webhook's time budget: each wait fits in the next, and all in Twilio's 15 s."""
    overrides = (environ.get("HOTLINE_CONNECTION_OVERRIDES") or CONNECTION_OVERRIDES).strip().lstrip("#")
    deadline = _int(environ, "HOTLINE_WEBHOOK_DEADLINE_SECONDS", 10, 1, TWILIO_BUDGET_SECONDS - 1)
    lock = _int(environ, "HOTLINE_DB_LOCK_TIMEOUT_SECONDS", 3, 1, deadline)
    late = _int(environ, "HOTLINE_REPLY_LATE_SECONDS", 10, 1, TWILIO_BUDGET_SECONDS - 1)
    read_timeout = dict(urllib.parse.parse_qsl(overrides)).get("rt", "")
    if read_timeout.isdigit() and late * 1000 >= int(read_timeout):
        raise RuntimeError(
            f"HOTLINE_REPLY_LATE_SECONDS ({late}) must be below the read time-out Twilio is given"
            f" in HOTLINE_CONNECTION_OVERRIDES (rt={read_timeout} ms), or late replies are lost"
        )
    return {
        # The connection overrides in the webhook URL set in the Twilio console: signatures are
        # checked for the URL with them and without them (Twilio's request carries no fragment).
        "CONNECTION_OVERRIDES": overrides,
        # A webhook stops waiting for the database (lock waits and tries again) this long after
        # it arrived, and answers 503, storing nothing: Twilio delivers the message again.
        "WEBHOOK_DEADLINE_SECONDS": deadline,
        # One transaction's wait for a lock (SQLite's busy timeout, PostgreSQL's lock_timeout).
        "DB_LOCK_TIMEOUT_SECONDS": lock,
        # Replies ready later than this after the message arrived go through the outbox, not in
        # the TwiML answer: Twilio (rt) may have stopped waiting for it.
        "REPLY_LATE_SECONDS": late,
    }


def check_demo(config: Mapping[str, Any]) -> None:
    """Refuse demo mode with a Twilio auth token: demo serves the webhook unsigned and the
    simulator to anyone, which real citizens' messages must never meet."""
    if config.get("DEMO") and config.get("TWILIO_AUTH_TOKEN"):
        raise RuntimeError(
            "HOTLINE_DEMO is set together with TWILIO_AUTH_TOKEN: demo mode takes unsigned messages"
            " and opens /simulator without a sign-in. Unset HOTLINE_DEMO to serve Twilio, or"
            " TWILIO_AUTH_TOKEN to try the hotline"
        )


def check_for_serving(config: Mapping[str, Any]) -> None:
    """Refuse to serve the web app without SECRET_KEY outside demo mode and tests (wsgi.py calls
    this; create_app itself refuses demo mode beside a Twilio token: check_demo)."""
    if not config.get("SECRET_KEY") and not config.get("DEMO") and not config.get("TESTING"):
        raise RuntimeError(
            "SECRET_KEY is not set: officers' sign-ins are signed with it, the same in every worker"
            " and across restarts. Make one with"
            " `python -c 'import secrets; print(secrets.token_hex(32))'` and set SECRET_KEY to it"
        )


def is_loopback(host: str) -> bool:
    """Tell whether a bind address only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
