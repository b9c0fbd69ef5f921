"""What the scheduler sends through: a `Transport`, which the wiring (hotline/cli.py) hands it.

`send` either returns what the provider accepted (its message id and status) or raises
`SendError`, which says whether the same request is worth trying again later. Numbers are
plain E.164 and the channel is named apart; how a provider writes an address ("whatsapp:+62…"
for Twilio) is the transport's business. The error codes are Twilio's, the provider the
hotline speaks (www.twilio.com/docs/api/errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from storage.outbox import OPT_OUT_CODES, OUTSIDE_WINDOW

TOO_MANY_REQUESTS = 20429  # Twilio's error code for HTTP 429


@dataclass(frozen=True)
class SendResult:
    """What the provider accepted: its message id (Twilio's MessageSid) and first status (usually "queued")."""

    sid: str
    status: str


class SendError(Exception):
    """The provider refused the message, or did not answer (http_status None)."""

    def __init__(self, http_status: int | None, code: int | None, message: str) -> None:
        super().__init__(http_status, code, message)
        self.http_status = http_status
        self.code = code
        self.message = message

    def __str__(self) -> str:
        # No message text: Twilio's may quote the phone number, and this string reaches logs.
        return f"Twilio refused the message (HTTP {self.http_status}, error {self.code})"

    @property
    def retryable(self) -> bool:
        """Tell whether the same request may succeed later (429, 5xx, no answer)."""
        if self.code == OUTSIDE_WINDOW:
            return False  # not later, but differently: a template or SMS (see scheduler/delivery.py)
        if self.http_status is None or self.code == TOO_MANY_REQUESTS:
            return True
        return self.http_status == 429 or self.http_status >= 500

    @property
    def outside_window(self) -> bool:
        """Tell whether WhatsApp refused free text because its 24-hour window is closed."""
        return self.code == OUTSIDE_WINDOW

    @property
    def opted_out(self) -> bool:
        """Tell whether the recipient opted out of or blocked this sender."""
        return self.code in OPT_OUT_CODES


class Transport(Protocol):
    """Something that sends one message and says what became of it."""

    timeout: float  # seconds a send may take at most

    def send(
        self,
        *,
        channel: str,
        to: str,
        from_: str,
        body: str | None,
        content_sid: str | None,
        content_variables: dict[str, str] | None,
        status_callback: str | None,
    ) -> SendResult:
        """Send one message on the channel, between two E.164 numbers; return the answer or raise SendError."""
        ...
