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


# What one SMS segment holds (3GPP TS 23.040; Twilio's "How long can a message be?" and
# "What is UCS-2 character encoding?"): 140 octets, less a 6-octet User Data Header in each
# segment of a concatenated message.
GSM7_SINGLE, GSM7_CONCATENATED = 160, 153  # septets
UCS2_SINGLE, UCS2_CONCATENATED = 70, 67  # UTF-16 code units
# The GSM 03.38 extension table: sent as ESC plus a septet, so two septets each.
GSM7_DOUBLE = GSM7_EXTENDED | {"\f"}


def sms_segments(text: str) -> int:
    """Return how many SMS segments the text takes, exactly as given (Twilio's rules).

    To count what the hotline sends on SMS, pass fit_to_channel(text, Channel.SMS): that is
    GSM-7 only. Text with every character in GSM-7 (basic set 1 septet, extension table 2)
    is sent GSM-7: up to 160 septets in one segment, else 153 a segment. Any other character
    makes the whole text UCS-2: up to 70 UTF-16 code units in one segment, else 67 a segment
    (a character outside the BMP, most emoji, is a surrogate pair: 2 units). As Twilio's
    segment calculator does, a character is never split between two segments: an extended
    GSM-7 character or a surrogate pair that does not fit in what is left of one starts the
    next. An empty text is 1 segment, as Twilio bills an empty body.
    """
    if all(ch in GSM7 or ch in GSM7_DOUBLE for ch in text):
        sizes = [2 if ch in GSM7_DOUBLE else 1 for ch in text]
        single, concatenated = GSM7_SINGLE, GSM7_CONCATENATED
    else:
        sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, concatenated = UCS2_SINGLE, UCS2_CONCATENATED
    if sum(sizes) <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > concatenated:
            segments, used = segments + 1, 0
        used += size
    return segments
