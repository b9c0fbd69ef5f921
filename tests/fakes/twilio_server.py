"""A local HTTP server that speaks the part of Twilio's REST API the hotline uses.

The real `twilio` client talks to it (TWILIO_API_URL points there), so tests exercise our
outbound code over real HTTP: accepted messages, scripted failures (500, 429, 4xx codes),
scripted hangs (a slow Twilio, or one a test holds while it kills the sender), WhatsApp's
24-hour window (free text to a number in `outside_window` is refused with 63016), numbers
refused whatever is sent, the message list (GET Messages.json), and what arrived, for assertions.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "fake-twilio-auth-token"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@dataclass
class Failure:
    """A scripted answer: HTTP status and Twilio error code."""

    status: int
    code: int | None = None
    message: str = "scripted failure"


@dataclass
class Hang:
    """A scripted hang: hold the request `seconds` (or until `release` is set), then answer.

    accept=True: the message is accepted before the hang (Twilio has it, the answer is late),
    and the late answer is a 201. accept=False: nothing is accepted, the late answer is a 503.
    """

    seconds: float
    accept: bool = False
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class FakeTwilio:
    """What the fake server has accepted, and what it will answer next."""

    accepted: list[dict[str, str]] = field(default_factory=list)
    attempts: int = 0
    script: list[Failure | Hang] = field(default_factory=list)  # consumed first, one per request
    # WhatsApp numbers whose 24-hour window is closed: free text to them is refused with 63016.
    outside_window: set[str] = field(default_factory=set)
    # Numbers refused whatever is sent to them (e.g. 21211 invalid, 21610 opted out).
    refused: dict[str, Failure] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    hangs: list[Hang] = field(default_factory=list)  # every hang started, released by stop()
    server: ThreadingHTTPServer | None = None
    _sids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *failures: Failure | Hang) -> None:
        with self.lock:
            self.script.extend(failures)

    def bodies_to(self, number: str) -> list[str]:
        return [m.get("Body", "") for m in self.accepted if m["To"].endswith(number)]

    def wait_for_attempts(self, count: int, timeout: float = 10) -> bool:
        """Wait until `count` POSTs have arrived in all; return False on time-out."""
        with self.arrived:
            return self.arrived.wait_for(lambda: self.attempts >= count, timeout)

    def answer(self, path: str, auth: str | None, form: dict[str, str]) -> tuple[int, dict]:
        """Answer POST Messages.json: accept the message, or what the script says."""
        hang = None
        with self.lock:
            self.attempts += 1
            refusal = self._refuse_request(path, auth)
            if refusal is not None:
                status, body = refusal
            elif self.script and isinstance(self.script[0], Hang):
                hang = self.script.pop(0)
                self.hangs.append(hang)
                status, body = (
                    self._accept(path, form) if hang.accept else _error(Failure(503, 20503, "Service Unavailable"))
                )
            elif self.script:
                status, body = _error(self.script.pop(0))  # type: ignore[arg-type]
            else:
                status, body = self._answer_message(path, form)
        with self.arrived:
            self.arrived.notify_all()
        if hang is not None:
            hang.release.wait(hang.seconds)
        return status, body

    def listing(self, path: str, auth: str | None, query: dict[str, str]) -> tuple[int, dict]:
        """Answer GET Messages.json: the accepted messages, newest first, filtered by To and From."""
        with self.lock:
            refusal = self._refuse_request(path, auth)
            if refusal is not None:
                return refusal
            found = [
                m
                for m in reversed(self.accepted)
                if query.get("To", m["To"]) == m["To"] and query.get("From", m["From"]) == m["From"]
            ]
        return 200, {
            "messages": [_resource(path, m["sid"], m) for m in found],
            "page": 0,
            "page_size": max(len(found), 1),
            "start": 0,
            "end": max(len(found) - 1, 0),
            "uri": path,
            "first_page_uri": path,
            "next_page_uri": None,
            "previous_page_uri": None,
        }

    def _refuse_request(self, path: str, auth: str | None) -> tuple[int, dict] | None:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if auth != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if path != MESSAGES_PATH:
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        return None

    def _answer_message(self, path: str, form: dict[str, str]) -> tuple[int, dict]:
        if not form.get("To") or not form.get("From"):
            return 400, {"code": 21604, "message": "A 'To' and 'From' are required", "status": 400}
        if not form.get("Body") and not form.get("ContentSid"):
            return 400, {"code": 21619, "message": "A text message body is required", "status": 400}
        to = form["To"]
        number = to.removeprefix("whatsapp:")
        if number in self.refused:
            return _error(self.refused[number])
        if to.startswith("whatsapp:") and number in self.outside_window and not form.get("ContentSid"):
            return _error(
                Failure(400, 63016, "Failed to send freeform message because you are outside the allowed window.")
            )
        return self._accept(path, form)

    def _accept(self, path: str, form: dict[str, str]) -> tuple[int, dict]:
        sid = f"SM{next(self._sids):032x}"
        self.accepted.append({**form, "sid": sid, "accepted_at": str(time.monotonic())})
        return 201, _resource(path, sid, form)


def _error(failure: Failure) -> tuple[int, dict]:
    return failure.status, {"code": failure.code, "message": failure.message, "status": failure.status, "more_info": ""}


def _resource(path: str, sid: str, form: dict[str, str]) -> dict:
    return {
        "sid": sid,
        "account_sid": ACCOUNT_SID,
        "to": form["To"],
        "from": form["From"],
        "body": form.get("Body", ""),
        "status": "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "price": None,
        "error_code": None,
        "error_message": None,
        "uri": f"{path[:-5]}/{sid}.json",
        "date_created": "Tue, 01 Dec 2026 02:00:00 +0000",
    }


def start(fake: FakeTwilio | None = None) -> FakeTwilio:
    """Start the fake on a free port on 127.0.0.1, in a daemon thread."""
    fake = fake or FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode("utf-8")))
            self._reply(*fake.answer(self.path, self.headers.get("Authorization"), form))

        def do_GET(self) -> None:  # noqa: N802
            path, _, query = self.path.partition("?")
            self._reply(*fake.listing(path, self.headers.get("Authorization"), dict(urllib.parse.parse_qsl(query))))

        def _reply(self, status: int, body: dict) -> None:
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a time-out, or a sender the test killed)

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.server.daemon_threads = True
    threading.Thread(target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return fake


def stop(fake: FakeTwilio) -> None:
    with fake.lock:
        for hang in [*fake.hangs, *(s for s in fake.script if isinstance(s, Hang))]:
            hang.release.set()
    if fake.server is not None:
        fake.server.shutdown()
        fake.server.server_close()
