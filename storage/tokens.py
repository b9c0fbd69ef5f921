"""API bearer tokens: created once, shown once, stored only as a hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ApiToken


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, now: dt.datetime) -> str:
    """Create a token for name and return it; only its hash is kept."""
    token = "hl_" + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=_digest(token), created_at=now))
    session.flush()
    return token


def token_owner(session: Session, token: str) -> str | None:
    """Return the name the token was created for, or None if it is not a valid token."""
    if not token or len(token) > 200:
        return None
    return session.scalar(select(ApiToken.name).where(ApiToken.token_hash == _digest(token)))
