"""The app's logs: one JSON object a line, with the request's id, and no citizen's phone number
or NIK in any of them (whatever a message says, they are masked as the audit log masks them)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from storage.audit import scrub_text

# What a log call may add (logger.info(..., extra={...})) besides the message.
FIELDS = ("request_id", "conversation_id", "office", "outcome", "latency_ms", "method", "path", "status")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

log = logging.getLogger("hotline.requests")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: at, level, logger, event and the FIELDS it has."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": scrub_text(record.getMessage()),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if "request_id" not in entry and has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        if record.exc_info:
            entry["error"] = scrub_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO) -> None:
    """Send every log to standard error as JSON lines (wsgi.py and the CLI's long-running commands)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per run every 2 s


def init_app(app: Flask) -> None:
    """Give each request an id (X-Request-Id, or a new one, echoed back) and log it once done:
    method, path without its query (a search may hold a phone number), status and latency."""

    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.log_started = time.monotonic()

    @app.after_request
    def _log_request(response: Response) -> Response:
        if "request_id" in g:
            response.headers.setdefault("X-Request-Id", g.request_id)
            latency = round((time.monotonic() - g.get("log_started", time.monotonic())) * 1000, 1)
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "latency_ms": latency,
                    "outcome": g.get("outcome"),
                },
            )
        return response
