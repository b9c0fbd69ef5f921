"""Twilio addresses ("whatsapp:+62...", "+62...") to channel and E.164 number."""

from __future__ import annotations

from conversations.channels import Channel
from storage.phones import to_e164

WHATSAPP_PREFIX = "whatsapp:"


def twilio_address(channel: str, number: str) -> str:
    """Return an E.164 number as Twilio addresses it on the channel: "whatsapp:+62…", or "+62…" on SMS."""
    return WHATSAPP_PREFIX + number if channel == Channel.WHATSAPP else number


def parse_address(address: str) -> tuple[str, str] | None:
    """Return (channel, E.164 number) for a Twilio From/To address, or None if unreadable."""
    address = (address or "").strip()
    channel = Channel.SMS
    if address.lower().startswith(WHATSAPP_PREFIX):
        channel, address = Channel.WHATSAPP, address[len(WHATSAPP_PREFIX) :]
    number = to_e164(address)
    return (channel, number) if number else None
