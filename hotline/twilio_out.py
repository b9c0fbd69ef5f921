"""Outbound messages: the transports the scheduler sends through (Twilio's REST API, or the terminal).

Both implement scheduler.transport.Transport. The scheduler names numbers in plain E.164 and
the channel apart; Twilio's address format ("whatsapp:+62…" on WhatsApp) is added here.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Mapping
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from hotline.addresses import twilio_address
from scheduler.transport import SendError, SendResult, Transport

log = logging.getLogger(__name__)


class RedirectedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending every request to api_url instead of https://api.twilio.com."""

    def __init__(self, api_url: str | None, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.api_url = urlsplit(api_url) if api_url else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if self.api_url is not None:
            # twilio-python has no base-URL option: keep the path and query, change the host.
            parts = urlsplit(url)
            base = self.api_url.path.rstrip("/")
            url = urlunsplit((self.api_url.scheme, self.api_url.netloc, base + parts.path, parts.query, ""))
        return super().request(method, url, *args, **kwargs)


class TwilioTransport:
    """Send through Twilio's Messages API with the real twilio client."""

    def __init__(self, account_sid: str, auth_token: str, api_url: str | None = None, timeout: float = 10) -> None:
        self.timeout = timeout
        self.client = Client(account_sid, auth_token, http_client=RedirectedHttpClient(api_url, timeout=timeout))

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
        """Send one message; return Twilio's answer or raise SendError."""
        fields: dict[str, Any] = {"to": twilio_address(channel, to), "from_": twilio_address(channel, from_)}
        if content_sid:
            fields["content_sid"] = content_sid
            if content_variables:
                fields["content_variables"] = json.dumps(content_variables, ensure_ascii=False)
        else:
            fields["body"] = body or ""
        if status_callback:
            fields["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**fields)
        except TwilioRestException as error:
            raise SendError(error.status, error.code, error.msg or "") from None
        except TwilioServiceException as error:
            raise SendError(error.status, error.code, error.detail or error.title or "") from None
        except requests.RequestException as error:
            # A read time-out may come after Twilio accepted the message: see scheduler/delivery.py.
            raise SendError(None, None, f"no answer from Twilio ({type(error).__name__})") from None
        return SendResult(sid=message.sid or "", status=str(message.status or "queued"))


class ConsoleTransport:
    """Print each message to a terminal instead of sending it: the demo without a Twilio account."""

    timeout = 0.0

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout

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
        """Print the message; return a made-up MessageSid."""
        if content_sid:
            text = f"[template {content_sid} {json.dumps(content_variables or {}, ensure_ascii=False)}]"
        else:
            text = body or ""
        print(
            f"--> {twilio_address(channel, to)} (from {twilio_address(channel, from_)}): {text}",
            file=self.stream,
            flush=True,
        )
        return SendResult(sid="SM" + uuid.uuid4().hex, status="sent")


class TransportNotConfigured(RuntimeError):
    """No Twilio credentials outside demo mode: nothing can be sent."""


def transport_from_config(config: Mapping[str, Any]) -> Transport:
    """Return Twilio when TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set; in demo mode, the terminal."""
    sid, token = config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN")
    if sid and token:
        return TwilioTransport(sid, token, api_url=config.get("TWILIO_API_URL"))
    if not config.get("DEMO"):
        # Printing would mark messages sent that never reach anyone: refuse instead.
        raise TransportNotConfigured(
            "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed to send messages "
            "(or HOTLINE_DEMO=1 to print them in the terminal instead)"
        )
    log.warning("demo mode without Twilio credentials: outbound messages are printed, not sent")
    return ConsoleTransport(sys.stdout)
