"""API bearer tokens: created once, shown once, stored only as a hash; each reads the offices it
names until it expires or is revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ApiToken

DEFAULT_DAYS = 90  # a token's life when its maker gives none
MAX_DAYS = 730
LAST_USED_EVERY = dt.timedelta(
    minutes=5
)  # last_used_at is written at most this often (a write a call would queue reads)


class TokenError(ValueError):
    """A token that cannot be made or found; the message says why."""


@dataclass(frozen=True)
class TokenHolder:
    """What a valid token may read."""

    id: int
    name: str
    office_codes: frozenset[str] | None  # None: every office
    full_phones: bool
    last_used_at: dt.datetime | None

    def reads(self, office_code: str) -> bool:
        return self.office_codes is None or office_code in self.office_codes

    def use_worth_noting(self, now: dt.datetime) -> bool:
        """Tell whether its last use is unrecorded or older than LAST_USED_EVERY."""
        return self.last_used_at is None or now - self.last_used_at >= LAST_USED_EVERY


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    name: str,
    now: dt.datetime,
    *,
    office_codes: Sequence[str] | None = None,
    days: int = DEFAULT_DAYS,
    full_phones: bool = False,
) -> str:
    """Create a token for name and return it; only its hash is kept.

    office_codes: the offices it reads (None: every office); it expires `days` from now.
    """
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"a token lasts 1 to {MAX_DAYS} days, not {days}")
    token = "hl_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=name,
            token_hash=_digest(token),
            created_at=now,
            office_codes=None if office_codes is None else sorted({c.upper() for c in office_codes}),
            expires_at=now + dt.timedelta(days=days),
            full_phones=full_phones,
        )
    )
    session.flush()
    return token


def token_holder(session: Session, token: str, now: dt.datetime) -> TokenHolder | None:
    """Return what the token may read, or None if it is unknown, expired or revoked."""
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    codes = None if row.office_codes is None else frozenset(row.office_codes)
    return TokenHolder(row.id, row.name, codes, bool(row.full_phones), row.last_used_at)


def note_used(session: Session, token_id: int, now: dt.datetime) -> None:
    """Record that the token was used now."""
    row = session.get(ApiToken, token_id)
    if row is not None:
        row.last_used_at = now


def all_tokens(session: Session) -> list[ApiToken]:
    """Return every token (revoked and expired ones too), oldest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(session: Session, token_id: int, now: dt.datetime) -> ApiToken:
    """Revoke a token by its id (as `hotline token list` shows it); it stops working at once."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenError(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
    return row
