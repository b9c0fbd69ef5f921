"""Phone numbers: stored in E.164, read the way Indonesians write them."""

from __future__ import annotations

import phonenumbers


def to_e164(text: str) -> str | None:
    """Return the number in E.164 (read as Indonesian without a country code), or None if invalid."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
