"""A local HTTP server that speaks the part of Twilio's REST API the hotline uses.

The real `twilio` client talks to it (TWILIO_API_URL points there), so tests exercise our
outbound code over real HTTP: accepted messages, scripted failures (500, 429, 4xx codes),
and what arrived, for assertions.
"""
from __future__ import annotations

import base64
import itertools
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "fake-twilio-auth-token"


@dataclass
class Failure:
    """A scripted answer: HTTP status and Twilio error code."""

    status: int
    code: int | None = None
    message: str = "scripted failure"


@dataclass
class FakeTwilio:
    """What the fake server has accepted, and what it will answer next."""

    accepted: list[dict[str, str]] = field(default_factory=list)
    attempts: int = 0
    script: list[Failure] = field(default_factory=list)  # consumed first, one per request
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    _sids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *failures: Failure) -> None:
        with self.lock:
            self.script.extend(failures)

    def bodies_to(self, number: str) -> list[str]:
        return [m.get("Body", "") for m in self.accepted if m["To"].endswith(number)]

    def answer(self, path: str, auth: str | None, form: dict[str, str]) -> tuple[int, dict]:
        with self.lock:
            self.attempts += 1
            expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            if auth != expected:
                return 401, {"code": 20003, "message": "Authenticate", "status": 401}
            if path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
                return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
            if self.script:
                failure = self.script.pop(0)
                return failure.status, {"code": failure.code, "message": failure.message,
                                        "status": failure.status, "more_info": ""}
            if not form.get("To") or not form.get("From"):
                return 400, {"code": 21604, "message": "A 'To' and 'From' are required", "status": 400}
            if not form.get("Body") and not form.get("ContentSid"):
                return 400, {"code": 21619, "message": "A text message body is required", "status": 400}
            sid = f"SM{next(self._sids):032x}"
            message = {**form, "sid": sid}
            self.accepted.append(message)
            return 201, {
                "sid": sid, "account_sid": ACCOUNT_SID, "to": form["To"], "from": form["From"],
                "body": form.get("Body", ""), "status": "queued", "num_segments": "1",
                "direction": "outbound-api", "api_version": "2010-04-01", "price": None,
                "error_code": None, "error_message": None, "uri": f"{path[:-5]}/{sid}.json",
                "date_created": "Tue, 01 Dec 2026 02:00:00 +0000",
            }


def start(fake: FakeTwilio | None = None) -> FakeTwilio:
    """Start the fake on a free port on 127.0.0.1, in a daemon thread."""
    fake = fake or FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode("utf-8")))
            status, body = fake.answer(self.path, self.headers.get("Authorization"), form)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=fake.server.serve_forever, daemon=True).start()
    return fake


def stop(fake: FakeTwilio) -> None:
    if fake.server is not None:
        fake.server.shutdown()
        fake.server.server_close()
