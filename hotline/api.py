"""The read-only JSON API, /api/v1, for bearer-token holders."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from conversations.nik import mask_nik
from conversations.vocabulary import REPORTED
from hotline import database, now
from storage.audit import mask_phone
from storage.calendar import office_today, places
from storage.models import Booking, Office
from storage.offices import all_offices, office_by_code
from storage.tokens import note_used, token_holder

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_RANGE_DAYS = 92


class BadRequest(Exception):
    """A parameter the API cannot use; the message says which and why."""


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> tuple[Response, int]:
    return jsonify(error=str(error)), 400


def token_required(view: Callable) -> Callable:
    """Refuse (401) a request without a valid `Authorization: Bearer <token>` (unknown, expired or revoked)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        instant = now()
        with database().reading() as session:
            holder = token_holder(session, token.strip(), instant) if scheme.lower() == "bearer" else None
        if holder is None:
            response = jsonify(error="a valid bearer token is required (unknown, expired or revoked)")
            response.headers["WWW-Authenticate"] = 'Bearer realm="hotline"'
            return response, 401
        if holder.use_worth_noting(instant):
            _note_use(holder.id, instant)
        g.token = holder
        return view(*args, **kwargs)

    return checked


def _note_use(token_id: int, instant: dt.datetime) -> None:
    """Record the token's use, at most every few minutes, never holding a read up: a write that
    cannot have the lock at once is left for a later call."""
    try:
        database().run(lambda session: note_used(session, token_id, instant), deadline=time.monotonic())
    except OperationalError:
        log.info("API token %d: its last use not recorded (the database is busy)", token_id)


def _office(session) -> Office:
    code = request.args.get("office", "")
    if not code:
        raise BadRequest("office is required, e.g. office=PLG")
    office = office_by_code(session, code.upper())
    if office is None or not g.token.reads(office.code):
        # Not "forbidden": a token need not learn which other offices exist.
        raise BadRequest(f"unknown office {code!r}")
    return office


def _date(name: str, default: dt.date | None = None) -> dt.date:
    raw = request.args.get(name)
    if raw is None or raw == "":
        if default is not None:
            return default
        raise BadRequest(f"{name} is required, as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date as YYYY-MM-DD, got {raw!r}") from None


@bp.get("/offices")
@token_required
def offices() -> Response:
    with database().reading() as session:
        rows = [o for o in all_offices(session) if g.token.reads(o.code)]
        return jsonify(
            offices=[{"code": o.code, "name": o.name, "hotline": o.hotline, "timezone": o.timezone} for o in rows]
        )


@bp.get("/availability")
@token_required
def availability() -> Response:
    with database().reading() as session:
        office = _office(session)
        today = office_today(office, now())
        first = _date("from", today)
        last = _date("to", first + dt.timedelta(days=office.book_ahead_days))
        if last < first:
            raise BadRequest("to must not be before from")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise BadRequest(f"at most {MAX_RANGE_DAYS} days at once")
        days = places(session, office, first, last, now())
        return jsonify(
            office=office.code,
            dates=[
                {
                    "date": day.date.isoformat(),
                    "open": day.open,
                    "sessions": [
                        {
                            "start": s.session.start,
                            "end": s.session.end,
                            "capacity": s.capacity,
                            "booked": s.booked,
                            "held": s.held,
                            "available": s.available,
                        }
                        for s in day.sessions
                    ],
                }
                for day in days
            ],
        )


@bp.get("/bookings")
@token_required
def bookings() -> Response:
    with database().reading() as session:
        office = _office(session)
        day = _date("date")
        rows = session.scalars(
            select(Booking)
            .where(Booking.office_id == office.id, Booking.date == day, Booking.status.in_(REPORTED))
            .options(selectinload(Booking.session))
            .order_by(Booking.session_id, Booking.created_at, Booking.id)
        )
        return jsonify(
            bookings=[
                {
                    "code": b.code,
                    "status": b.status,
                    "phone": b.phone if g.token.full_phones else mask_phone(b.phone),
                    "channel": b.channel,
                    "service": b.service,
                    "passport_type": b.passport_type,
                    "name": b.name,
                    "nik": mask_nik(b.nik) if b.nik else None,
                    "date": b.date.isoformat(),
                    "session": {"start": b.session.start, "end": b.session.end},
                    "created_at": b.created_at.isoformat().replace("+00:00", "Z"),
                }
                for b in rows
            ]
        )
