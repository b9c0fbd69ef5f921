"""Citizens as Twilio brings them: phone numbers, valid unique NIKs, open dates, signed webhook requests.

A `Client` is one citizen's side of the line (one keep-alive HTTP connection, reopened when the
server closes it, as gunicorn's sync workers do after every answer). It signs each request
with the auth token the way Twilio does and returns the TwiML replies as texts.
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import math
import os
import re
import time
import urllib.parse
import uuid
from dataclasses import dataclass

import holidays
from twilio.request_validator import RequestValidator

from bench.servers import AUTH_TOKEN

HOTLINE = "+6282176190771"  # the default office (Palembang)
INBOUND = "/twilio/inbound"
MESSAGE_RE = re.compile(r"<Message>(.*?)</Message>", re.S)
CODE_RE = re.compile(r"Kode: ([A-Z]{2,5}-[2-9A-HJ-NP-Z]{6})")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WEEKDAYS = {0, 1, 2, 3, 4}  # the default office's days


def phone(n: int) -> str:
    """Return the n-th citizen's WhatsApp number (E.164, an Indonesian mobile)."""
    return f"+62812{n:08d}"


def nik(n: int) -> str:
    """Return a NIK of valid form, different for every n below 3,650,000: Palembang, born 1970-1999, serial 1-9999."""
    serial = n % 9999 + 1
    rest = n // 9999
    day, rest = rest % 28 + 1, rest // 28
    month, rest = rest % 12 + 1, rest // 12
    year = 70 + rest % 30
    return f"167101{day:02d}{month:02d}{year:02d}{serial:04d}"


FIRST_NAMES = (
    "Budi", "Siti", "Dewi", "Rudi", "Rina", "Joko", "Andi", "Wati", "Hadi", "Lina",
    "Yusuf", "Ratna", "Bambang", "Fitri", "Hendra", "Maya", "Dian", "Slamet", "Indah", "Wahyu",
)  # fmt: skip
LAST_NAMES = (
    "Santoso", "Lestari", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama", "Nugroho", "Setiawan", "Rahayu",
    "Susanto", "Gunawan", "Permata", "Halim", "Siregar", "Nasution", "Harahap", "Utomo", "Sembiring", "Tanjung",
)  # fmt: skip


def name(n: int) -> str:
    """Return the n-th citizen's name, as on a KTP (names repeat; NIKs do not)."""
    return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)]}"


def open_days(first: dt.date, count: int) -> list[dt.date]:
    """Return the next `count` days from `first` the default office opens (weekdays, no holiday or cuti bersama)."""
    found: list[dt.date] = []
    day = first
    closed = holidays.country_holidays(
        "ID", years=range(first.year, first.year + 2), categories=("public", "government")
    )
    while len(found) < count:
        if day.weekday() in WEEKDAYS and day not in closed:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def bookable_days(today: dt.date, ahead: int = 30) -> list[dt.date]:
    """Return the open days from the day after tomorrow to the end of the booking window."""
    days = open_days(today + dt.timedelta(days=2), 40)
    return [day for day in days if day <= today + dt.timedelta(days=ahead - 1)]


def date_text(day: dt.date) -> str:
    """Return a date as citizens write it: D/M."""
    return f"{day.day}/{day.month}"


def booking_messages(n: int, day: dt.date, session: int) -> list[str]:
    """Return the shortest booking the bot accepts: four messages (tests/hotline/test_webhook_help.py)."""
    return ["halo", "1", f"baru biasa, {name(n)}, {nik(n)}, {date_text(day)} sesi {session}", "ya"]


def form(n: int, body: str) -> dict[str, str]:
    """Return the fields Twilio posts for an inbound WhatsApp message."""
    number = phone(n)
    sid = "SM" + uuid.uuid4().hex
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": name(n),
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": number[1:],
        "SmsStatus": "received",
        "Body": body,
        "To": f"whatsapp:{HOTLINE}",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": "AC" + "1" * 32,
        "From": f"whatsapp:{number}",
        "ApiVersion": "2010-04-01",
    }


@dataclass
class Answer:
    status: int
    replies: list[str]
    seconds: float  # from the request's start (or from when it was due, see Client.post)


class Client:
    """One citizen's connection to the webhook."""

    def __init__(self, base_url: str, timeout: float = 120) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.url = base_url + INBOUND
        self.validator = RequestValidator(AUTH_TOKEN)
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def post(self, fields: dict[str, str], due: float | None = None) -> Answer:
        """Post a signed message; the time counts from `due` (a monotonic instant) when given."""
        signature = self.validator.compute_signature(self.url, fields)
        body = urllib.parse.urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
        started = time.monotonic() if due is None else due
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.connection.request("POST", INBOUND, body, headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                # A kept-alive connection the server had closed: once more on a new one.
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            seconds = time.monotonic() - started
            return Answer(response.status, [html.unescape(m) for m in MESSAGE_RE.findall(text)], seconds)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Return the value below which `fraction` of the sorted values lie (nearest rank)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]


def cpu_seconds() -> float:
    """Return this process's CPU time (user + system): the load generator's own cost."""
    times = os.times()
    return times.user + times.system
