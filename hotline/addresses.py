"""Twilio addresses ("whatsapp:+62...", "+62...") to channel and E.164 number."""
from __future__ import annotations

from storage.phones import to_e164

WHATSAPP_PREFIX = "whatsapp:"


def parse_address(address: str) -> tuple[str, str] | None:
    """Return (channel, E.164 number) for a Twilio From/To address, or None if unreadable."""
    address = (address or "").strip()
    channel = "sms"
    if address.lower().startswith(WHATSAPP_PREFIX):
        channel, address = "whatsapp", address[len(WHATSAPP_PREFIX):]
    number = to_e164(address)
    return (channel, number) if number else None
