"""Twilio addresses ("whatsapp:+62...", "+62...") to channel and E.164 number."""
from __future__ import annotations

import phonenumbers

WHATSAPP_PREFIX = "whatsapp:"


def parse_address(address: str) -> tuple[str, str] | None:
    """Return (channel, E.164 number) for a Twilio From/To address, or None if unreadable."""
    address = (address or "").strip()
    channel = "sms"
    if address.lower().startswith(WHATSAPP_PREFIX):
        channel, address = "whatsapp", address[len(WHATSAPP_PREFIX):]
    if len(address) > 32:
        return None
    try:
        number = phonenumbers.parse(address, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return channel, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
