"""TwiML replies, and text fitted to the channel."""
from __future__ import annotations

import unicodedata

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse

# The GSM 03.38 basic set; an SMS with any other character is sent as UCS-2 (70 a segment).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")
REPLACEMENTS = {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}


def to_gsm7(text: str) -> str:
    """Return text with only GSM-7 characters: accents stripped, the rest replaced by '?'."""
    out = []
    for ch in text:
        if ch in GSM7 or ch in GSM7_EXTENDED:
            out.append(ch)
            continue
        ch = REPLACEMENTS.get(ch, ch)
        plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
        out.append(plain if plain and all(c in GSM7 for c in plain) else ("?" if not ch.isspace() else " "))
    return "".join(out)


def fit_to_channel(text: str, channel: str) -> str:
    """Return the text as it should be sent on the channel (SMS: GSM-7 only)."""
    return to_gsm7(text) if channel == "sms" else text


def messaging_response(replies: list[str]) -> Response:
    """Return a TwiML <Response> with one <Message> per reply (none: an empty response)."""
    response = MessagingResponse()
    for reply in replies:
        response.message(reply)
    return Response(str(response), mimetype="text/xml")
