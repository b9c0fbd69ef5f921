"""Configuration from the environment, read in this one place."""

from __future__ import annotations

import os
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
    }
