"""The logs: one JSON line an event, with the request's id, and never a citizen's phone number or
NIK, whatever happens (a booking, its reminder, a database error with the statement's values)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
from collections.abc import Iterator

from hotline.logs import JsonFormatter
from hotline.twilio_out import ConsoleTransport
from scheduler.run import DeliverySettings, run_due
from tests.conftest import START
from tests.hotline.test_webhook_deadlines import write_lock

PHONE = "+6281234567890"  # the citizen fixture's number
NIK = "1671014501900001"


@contextlib.contextmanager
def every_log() -> Iterator[io.StringIO]:
    """Collect every log of every logger, at every level, as the app writes them (JSON lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level, root.level = root.level, logging.DEBUG
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def test_no_log_of_a_booking_its_reminder_and_a_database_error_holds_the_phone_or_the_nik(db, app, citizen):
    app.config["DB_LOCK_TIMEOUT_SECONDS"] = 1
    app.config["WEBHOOK_DEADLINE_SECONDS"] = 1
    with every_log() as stream:
        for text in ("1", "baru biasa", "Budi Santoso", f"NIK {NIK}, hp {PHONE}", "3/12", "1", "YA"):
            citizen.says(text)
        with write_lock(db):  # a message that cannot be stored: 503, the error logged
            assert citizen.post(f"batal, NIK saya {NIK}").status_code == 503
        reminded = run_due(
            db,
            dt.datetime(2026, 12, 2, 9, 0, tzinfo=START.tzinfo),  # the day before: the reminder
            ConsoleTransport(io.StringIO()),
            DeliverySettings(public_url=None, send_rate=1000, max_attempts=3),
        )
        assert reminded["send_reminders"] == 1  # queued, and tried (no template: the window closed)
    lines = stream.getvalue().splitlines()
    assert lines and all(json.loads(line)["event"] for line in lines)  # JSON, every one
    written = stream.getvalue()
    assert "inbound message not handled" in written  # the error is there ...
    assert NIK not in digits(written) and digits(PHONE)[2:] not in digits(written)  # ... but not them


def test_every_request_is_logged_once_with_its_id_and_no_query_string(app, client):
    with every_log() as stream:
        response = client.get("/healthz?q=081234567890", headers={"X-Request-Id": "abc-123"})
    assert response.headers["X-Request-Id"] == "abc-123"
    [line] = [json.loads(x) for x in stream.getvalue().splitlines() if '"request"' in x]
    assert (line["request_id"], line["method"], line["path"], line["status"]) == ("abc-123", "GET", "/healthz", 200)
    assert isinstance(line["latency_ms"], float) and "081234567890" not in stream.getvalue()
