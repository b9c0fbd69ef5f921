"""The channels a citizen writes on, and text fitted to each (SMS: GSM-7 only)."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata


class Channel(enum.StrEnum):
    """How a citizen reaches the hotline."""

    SMS = "sms"
    WHATSAPP = "whatsapp"


# WhatsApp carries free text only this long after the citizen's last message; after it, only
# an approved template (or another channel).
WHATSAPP_WINDOW = dt.timedelta(hours=24)


def in_whatsapp_window(last_inbound_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Tell whether WhatsApp still takes free text to a citizen who last wrote at last_inbound_at."""
    return last_inbound_at is not None and now - last_inbound_at < WHATSAPP_WINDOW


# The GSM 03.38 basic set; an SMS with any other character is sent as UCS-2 (70 a segment).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")
REPLACEMENTS = {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}
# Control characters carry nothing a citizen or officer means, and PostgreSQL refuses NUL in text.
CONTROL_CHARACTERS = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")


def without_control(text: str | None) -> str:
    """Return text without control characters (newlines and tabs kept)."""
    return (text or "").translate(CONTROL_CHARACTERS)


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
    return to_gsm7(text) if channel == Channel.SMS else text
