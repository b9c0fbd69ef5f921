"""Access rule for Twilio's webhooks: only requests Twilio signed get through."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from flask import Response, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def signed_url() -> str:
    """Return the URL Twilio signed: PUBLIC_URL + path behind a proxy, else the request URL."""
    public = current_app.config.get("PUBLIC_URL")
    if not public:
        return request.url
    query = request.query_string.decode("latin-1")
    return public + request.path + (f"?{query}" if query else "")


def urls_twilio_may_sign() -> list[str]:
    """Return the URLs a genuine request may be signed for: the webhook URL as set in the Twilio
    console, with its connection overrides (#ct=…&rt=…, CONNECTION_OVERRIDES), and without them.

    The fragment never reaches us (no HTTP client sends it), but Twilio signs the URL it was
    given; a URL set without overrides is signed without one.
    """
    url = signed_url()
    overrides = current_app.config.get("CONNECTION_OVERRIDES")
    return [url, f"{url}#{overrides}"] if overrides else [url]


def _valid(validator: RequestValidator, signature: str) -> bool:
    return any(validator.validate(url, request.form, signature) for url in urls_twilio_may_sign())


def twilio_signed(view: Callable) -> Callable:
    """Refuse (403) a request whose X-Twilio-Signature does not match TWILIO_AUTH_TOKEN."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if any(len(values) > 1 for values in request.form.listvalues()):
            # Twilio never repeats a field; the signature covers the sorted key-value pairs, so
            # a repeated one would let its values be swapped without changing it.
            log.warning("webhook refused: a form field given twice")
            return Response("a form field is given twice\n", status=400, mimetype="text/plain")
        token = current_app.config.get("TWILIO_AUTH_TOKEN")
        if not token:
            if current_app.config.get("DEMO"):
                return view(*args, **kwargs)
            log.error("webhook refused: TWILIO_AUTH_TOKEN is not set (set it, or HOTLINE_DEMO=1 to try)")
            return Response("TWILIO_AUTH_TOKEN is not configured\n", status=503, mimetype="text/plain")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not _valid(RequestValidator(token), signature):
            log.warning("webhook refused: bad or missing X-Twilio-Signature")
            return Response("invalid signature\n", status=403, mimetype="text/plain")
        return view(*args, **kwargs)

    return checked
