"""Bearer tokens for the read-only JSON API, stored hashed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The codes of the offices the token reads (None: every office).
    office_codes: Mapped[list[str] | None] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Citizens' full phone numbers in what it reads (else masked: +62812****7890).
    full_phones: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
