"""Quota and calendar, for supervisors and admins: capacity per date range, closed dates, extra sessions.

Each form posts (with its CSRF token) to one storage.quota service in one transaction and
redirects back with a flash message; a refusal (DeskError) is told with its details, e.g.
which date already has how many places booked.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for

from hotline import database, now
from hotline.auth import role_required
from hotline.bookings import long_date, office_for, parse_date, run_action, served_offices
from hotline.i18n import t
from storage import quota
from storage.calendar import closed_dates, office_sessions, office_today
from storage.models import LEADS

bp = Blueprint("quota", __name__)

LOOK_AHEAD_DAYS = 90  # how far the page lists closed dates and extra sessions


@bp.get("/quota")
@role_required(*LEADS)
def calendar():
    with database().reading() as session:
        offices = served_offices(session)
        if not offices:
            return render_template("quota/calendar.html", offices=[], office=None)
        code = request.args.get("office")
        office = office_for(session, code) if code else offices[0]
        today = office_today(office, now())
        last = today + dt.timedelta(days=LOOK_AHEAD_DAYS)
        sessions = sorted(
            office_sessions(session, office, today, last), key=lambda s: (s.only_on or dt.date.min, s.start)
        )
        page = render_template(
            "quota/calendar.html",
            offices=offices,
            office=office,
            today=today,
            regular=[s for s in sessions if s.only_on is None],
            extra=[s for s in sessions if s.only_on],
            closed=sorted(closed_dates(session, office, today, last).items()),
        )
    return page


def _back(office_code: str):
    return redirect(url_for("quota.calendar", office=office_code.upper()))


def _whole(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else None


@bp.post("/quota/<office_code>/capacity")
@role_required(*LEADS)
def capacity(office_code: str):
    form = request.form
    first, last = parse_date(form.get("first")), parse_date(form.get("last") or form.get("first"))
    session_id, raw = _whole(form.get("session_id")), (form.get("capacity") or "").strip()
    value = None if raw == "" else _whole(raw)
    if first is None or last is None or session_id is None or (raw != "" and value is None):
        flash(t("quota.error.form"), "error")
        return _back(office_code)
    days, refusal = run_action(office_code, quota.set_capacity, session_id, first, last, value, now())
    if refusal:
        flash(refusal, "error")
    else:
        flash(
            t(
                "quota.done.capacity",
                count=len(days),
                first=long_date(days[0]),
                last=long_date(days[-1]),
                capacity=value if value is not None else t("quota.usual"),
            ),
            "success",
        )
    return _back(office_code)


@bp.post("/quota/<office_code>/close")
@role_required(*LEADS)
def close(office_code: str):
    day = parse_date(request.form.get("date"))
    if day is None:
        flash(t("quota.error.form"), "error")
        return _back(office_code)
    closure, refusal = run_action(office_code, quota.close_date, day, request.form.get("reason"), now())
    if refusal:
        flash(refusal, "error")
    else:
        flash(t("quota.done.close", date=long_date(day), count=len(closure.notified)), "success")
    return _back(office_code)


@bp.post("/quota/<office_code>/reopen")
@role_required(*LEADS)
def reopen(office_code: str):
    day = parse_date(request.form.get("date"))
    if day is None:
        flash(t("quota.error.form"), "error")
        return _back(office_code)
    told, refusal = run_action(office_code, quota.reopen_date, day, now())
    if refusal:
        flash(refusal, "error")
    else:
        flash(t("quota.done.reopen", date=long_date(day), count=len(told)), "success")
    return _back(office_code)


@bp.post("/quota/<office_code>/extra")
@role_required(*LEADS)
def extra(office_code: str):
    form = request.form
    day, places = parse_date(form.get("date")), _whole(form.get("capacity"))
    start, end = (form.get("start") or "").strip()[:5], (form.get("end") or "").strip()[:5]
    if day is None or places is None:
        flash(t("quota.error.form"), "error")
        return _back(office_code)
    added, refusal = run_action(office_code, quota.add_extra_session, day, start, end, places, now())
    if refusal:
        flash(refusal, "error")
    else:
        flash(t("quota.done.extra", date=long_date(day), start=start, end=end, capacity=places), "success")
    return _back(office_code)
