"""The audit log for supervisors and admins: who changed what and when, newest first, paged.

Only the events of the reader's offices (an admin: every office, sign-ins too).
"""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select

from hotline import database
from hotline.auth import office_ids_for, role_required
from hotline.bookings import office_for, served_offices
from hotline.i18n import TEXTS, t
from storage.audit import AuditError, events
from storage.models import LEADS, Office, Officer

bp = Blueprint("audit_log", __name__)

PAGE_EVENTS = 50


def _action_words(action: str) -> str:
    key = f"audit.action.{action}"
    return t(key) if key in TEXTS else action


@bp.get("/audit")
@role_required(*LEADS)
def log():
    code = request.args.get("office") or None
    before_text = request.args.get("before", "")
    before = int(before_text) if before_text.isdigit() and len(before_text) < 12 else None
    problem = None
    if before_text and before is None:
        problem = t("audit.bad_cursor")
    with database().reading() as session:
        offices = served_offices(session)
        office = office_for(session, code) if code else None
        ids = {office.id} if office else office_ids_for(current_user)
        try:
            found = events(session, ids, limit=PAGE_EVENTS + 1, before=before)
        except AuditError:
            problem, found = t("audit.bad_cursor"), events(session, ids, limit=PAGE_EVENTS + 1)
        more, found = len(found) > PAGE_EVENTS, found[:PAGE_EVENTS]
        names: dict[int | None, str] = dict(
            session.execute(
                select(Officer.id, Officer.username).where(
                    Officer.id.in_({e.officer_id for e in found if e.officer_id})
                )
            ).all()
        )
        codes: dict[int | None, str] = dict(session.execute(select(Office.id, Office.code)).all())
        zones: dict[int | None, str] = dict(session.execute(select(Office.id, Office.timezone)).all())
        rows = [
            {
                "id": e.id,
                "at": e.at,
                "zone": zones.get(e.office_id),
                "officer": names.get(e.officer_id),
                "office": codes.get(e.office_id),
                "action": _action_words(e.action),
                "subject": e.subject,
                "details": json.dumps(e.details, ensure_ascii=False, sort_keys=True, default=str) if e.details else "",
            }
            for e in found
        ]
        page = render_template(
            "audit.html",
            rows=rows,
            offices=offices,
            office=office,
            problem=problem,
            older=found[-1].id if more and found else None,
            first_page=before is None,
        )
    return page, 400 if problem else 200
