"""The office desk: the day's bookings, check-in, no-shows, changes for a citizen, search and CSV.

Every page needs a signed-in officer and shows only their offices (another office answers
404). Actions are POST forms with a CSRF token that redirect back (POST-redirect-GET) with a
flash message; storage.desk decides, records the audit event and queues the citizen's
message, one transaction per request. Everything works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from conversations.dates import format_date
from conversations.vocabulary import ACTIVE, CHECKABLE
from hotline import database, now
from hotline.auth import login_required, office_ids_for
from hotline.i18n import TEXTS, current_language, t
from storage import desk
from storage.calendar import office_sessions, office_today, runs_on
from storage.desk import DeskError
from storage.models import LEADS, Office, Officer
from storage.offices import DEFAULT_TIMEZONE, all_offices, office_by_code

bp = Blueprint("bookings", __name__)


# --- shared with the quota and audit pages ------------------------------------------------------


def signed_in_officer(session: Session) -> Officer:
    """Return the signed-in officer's row (404 if it vanished a moment ago)."""
    officer = session.get(Officer, current_user.id)
    if officer is None:
        abort(404)
    return officer


def served_offices(session: Session) -> list[Office]:
    """Return the offices the signed-in officer serves, by code."""
    ids = office_ids_for(current_user)
    return sorted((o for o in all_offices(session) if ids is None or o.id in ids), key=lambda o: o.code)


def office_for(session: Session, code: str | None) -> Office:
    """Return the served office with this code (404 for any other, or an unknown code)."""
    office = office_by_code(session, code.strip().upper()) if isinstance(code, str) and code.strip() else None
    ids = office_ids_for(current_user)
    if office is None or (ids is not None and office.id not in ids):
        abort(404)
    return office


def parse_date(text: str | None) -> dt.date | None:
    """Return the YYYY-MM-DD date in text, or None."""
    try:
        return dt.date.fromisoformat((text or "").strip()) if len((text or "").strip()) == 10 else None
    except ValueError:
        return None


def long_date(day: dt.date) -> str:
    return format_date(day, current_language())


def _shown(value: Any, zone: str) -> Any:
    if isinstance(value, dt.datetime):
        return office_clock(value, zone)
    if isinstance(value, dt.date):
        return long_date(value)
    return value


def desk_message(error: DeskError, zone: str | None = None) -> str:
    """Return the refusal as a sentence for the officer, with its details (date, counts...).

    Instants in the details are shown on the clock of the office (zone) the action was for.
    """
    key = f"bookings.error.{error.reason}"
    if key not in TEXTS:
        return t("bookings.error.other")
    params = {name: _shown(value, zone or DEFAULT_TIMEZONE) for name, value in error.details.items() if name != "dates"}
    status = error.details.get("status")
    if status is not None:
        params["status"] = t(f"bookings.status.{status}") if f"bookings.status.{status}" in TEXTS else status
    closed = error.details.get("closed")
    params["why"] = t(f"bookings.closed.{closed}") if closed in ("holiday", "office", "weekday") else ""
    try:
        # Always with params, so that a text's {placeholders} are filled, never shown raw.
        message = t(key, reason=error.reason, **params)
    except (KeyError, IndexError):
        message = t("bookings.error.other")
    dates = error.details.get("dates") or []
    if len(dates) > 1:
        message += " " + t("bookings.error.more_dates", count=len(dates) - 1)
    return message


def office_clock(instant: dt.datetime | None, zone: str | None, with_date: bool = False) -> str:
    """Return the instant on the office's wall clock: "14:05", or "2026-12-01 14:05" with the date."""
    if instant is None:
        return ""
    try:
        local = instant.astimezone(ZoneInfo(zone or DEFAULT_TIMEZONE))
    except (ZoneInfoNotFoundError, ValueError):
        local = instant.astimezone(ZoneInfo(DEFAULT_TIMEZONE))
    return local.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


@bp.app_context_processor
def _desk_helpers() -> dict[str, Any]:
    return {"long_date": long_date, "office_clock": office_clock}


# --- the day ------------------------------------------------------------------------------------


def _day_url(office: Office, day: dt.date, **extra: Any) -> str:
    return url_for("bookings.day", office=office.code, date=day.isoformat(), **extra)


@bp.get("/bookings")
@login_required
def day():
    with database().reading() as session:
        offices = served_offices(session)
        if not offices:
            return render_template("bookings/day.html", offices=[], office=None, sheet=None, problem=None)
        code = request.args.get("office")
        office = office_for(session, code) if code else offices[0]
        instant = now()
        today = office_today(office, instant)
        problem = None
        day = today
        if request.args.get("date"):
            asked = parse_date(request.args["date"])
            if asked is None:
                problem = t("bookings.bad_date", value=request.args["date"][:40])
            else:
                day = asked
        sheet = desk.day_sheet(session, office, day, instant)
        page = render_template(
            "bookings/day.html",
            offices=offices,
            office=office,
            sheet=sheet,
            day=day,
            today=today,
            previous=_day_url(office, day - dt.timedelta(days=1)),
            next=_day_url(office, day + dt.timedelta(days=1)),
            problem=problem,
            check_in_statuses=CHECKABLE,
            active_statuses=ACTIVE,
            lead=current_user.role in LEADS,
        )
    return page, 400 if problem else 200


@bp.get("/bookings/day.csv")
@login_required
def day_csv():
    with database().reading() as session:
        office = office_for(session, request.args.get("office"))
        day = parse_date(request.args.get("date")) if request.args.get("date") else office_today(office, now())
        if day is None:
            abort(400)
        body = desk.day_csv(session, office, day)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="bookings-{office.code}-{day.isoformat()}.csv"',
        },
    )


def run_action(office_code: str, action, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """Run one storage.desk or storage.quota action in its own transaction; return (result, refusal).

    The refusal is the DeskError told as a sentence (it rolled the transaction back).
    """
    zone = None
    try:
        with database().transaction() as session:
            office = office_for(session, office_code)
            zone = office.timezone
            return action(session, signed_in_officer(session), office, *args, **kwargs), None
    except DeskError as error:
        if error.reason == "not_found" and action in (desk.cancel_for_citizen, desk.move_for_citizen):
            abort(404)  # no such booking at this office: as for a page of another office
        return None, desk_message(error, zone)


def _back(office_code: str, fallback_date: dt.date | None = None) -> ResponseReturnValue:
    day = parse_date(request.form.get("date")) or fallback_date
    params: dict[str, Any] = {"office": office_code.upper()}
    if day is not None:
        params["date"] = day.isoformat()
    return redirect(url_for("bookings.day", **params))


@bp.post("/bookings/<office_code>/<code>/check-in")
@login_required
def check_in(office_code: str, code: str):
    booking, refusal = run_action(office_code, desk.check_in, code, now())
    if refusal:
        flash(refusal, "error")
    else:
        flash(t("bookings.done.check_in", code=booking.code, name=booking.name), "success")
    return _back(office_code)


@bp.post("/bookings/<office_code>/no-shows")
@login_required
def no_shows(office_code: str):
    day = parse_date(request.form.get("date"))
    if day is None:
        flash(t("bookings.bad_date", value=(request.form.get("date") or "")[:40]), "error")
        return _back(office_code)
    count, refusal = run_action(office_code, desk.mark_no_shows, day, now())
    if refusal:
        flash(refusal, "error")
    else:
        flash(
            t("bookings.done.no_shows", count=count) if count else t("bookings.done.no_shows_none"),
            "success" if count else "info",
        )
    return _back(office_code, day)


# --- one booking: cancel or move for the citizen ------------------------------------------------


def _booking(session: Session, office: Office, code: str) -> desk.DeskBooking:
    found = desk.search(session, {office.id}, code)
    match = [b for b in found if b.code == code.strip().upper() or b.code.replace("-", "") == code.strip().upper()]
    if not match:
        abort(404)
    return match[0]


@bp.get("/bookings/<office_code>/<code>")
@login_required
def booking(office_code: str, code: str):
    with database().reading() as session:
        office = office_for(session, office_code)
        found = _booking(session, office, code)
        instant = now()
        today = office_today(office, instant)
        last = today + dt.timedelta(days=office.book_ahead_days)
        sessions = []
        for s in sorted(
            office_sessions(session, office, today, last), key=lambda s: (s.only_on or dt.date.min, s.start)
        ):
            if s.only_on is None or runs_on(office, s, s.only_on):
                sessions.append((s.id, s.start, s.end, s.only_on))
        page = render_template(
            "bookings/booking.html",
            office=office,
            booking=found,
            sessions=sessions,
            today=today,
            last=last,
            changeable=found.status in ACTIVE and found.date >= today,
            day_url=_day_url(office, found.date),
        )
    return page


@bp.post("/bookings/<office_code>/<code>/cancel")
@login_required
def cancel(office_code: str, code: str):
    booking, refusal = run_action(office_code, desk.cancel_for_citizen, code, now(), reason=request.form.get("reason"))
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("bookings.booking", office_code=office_code.upper(), code=code))
    flash(t("bookings.done.cancel", code=booking.code), "success")
    return redirect(url_for("bookings.day", office=office_code.upper(), date=booking.date.isoformat()))


@bp.post("/bookings/<office_code>/<code>/move")
@login_required
def move(office_code: str, code: str):
    new_date = parse_date(request.form.get("new_date"))
    session_id = request.form.get("session_id", "")
    here = url_for("bookings.booking", office_code=office_code.upper(), code=code)
    if new_date is None or not session_id.isdigit():
        flash(t("bookings.error.move_form"), "error")
        return redirect(here)
    booking, refusal = run_action(office_code, desk.move_for_citizen, code, new_date, int(session_id), now())
    if refusal:
        flash(refusal, "error")
        return redirect(here)
    flash(
        t(
            "bookings.done.move",
            code=booking.code,
            date=long_date(new_date),
            start=booking.session.start,
            end=booking.session.end,
        ),
        "success",
    )
    return redirect(url_for("bookings.day", office=office_code.upper(), date=new_date.isoformat()))


# --- search -------------------------------------------------------------------------------------


@bp.get("/bookings/search")
@login_required
def search():
    query = (request.args.get("q") or "").strip()[:64]
    with database().reading() as session:
        offices = {o.id: o for o in served_offices(session)}
        found = desk.search(session, office_ids_for(current_user), query) if query else []
        rows = [(b, offices.get(b.office_id)) for b in found]
        page = render_template("bookings/search.html", query=query, rows=rows)
    return page
