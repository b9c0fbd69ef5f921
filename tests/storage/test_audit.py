"""The audit log: events by office and action, newest first, and never a full NIK or phone number."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage import audit
from storage.audit import AuditError, events, mask_phone, record, scrub
from storage.db import Database
from storage.models import Office, Officer
from tests.conftest import START

NOW = START.astimezone(dt.UTC)
NIK = "1671014501900001"
PHONE = "+6281234567890"


def setup(db: Database) -> tuple[Officer, int, int]:
    """Return an officer, the Palembang office's id and a second office's id."""
    with db.transaction() as session:
        officer = Officer(username="ani", password_hash="x", role="officer", active=True, language="id", created_at=NOW)
        other = Office(
            code="JKT",
            name="Jakarta",
            hotline="+622100000001",
            timezone="Asia/Jakarta",
            days="mon,tue,wed,thu,fri",
            book_ahead_days=30,
        )
        session.add_all([officer, other])
        session.flush()
        return officer, session.scalar(select(Office.id).where(Office.code == "PLG")), other.id


def test_events_come_newest_first_by_office_and_action_a_page_at_a_time(db) -> None:
    officer, plg, jkt = setup(db)
    with db.transaction() as session:
        for minute, (office_id, action) in enumerate(
            [
                (plg, "take_over"),
                (plg, "reply"),
                (jkt, "reply"),
                (plg, "check_in"),
                (None, "sign_in"),
                (plg, "reply"),
            ]
        ):
            at = NOW + dt.timedelta(minutes=minute)
            record(session, officer, office_id, action, f"conversation:{minute}", now=at)
    with db.transaction() as session:
        page = events(session, {plg}, limit=2)
        assert [e.subject for e in page] == ["conversation:5", "conversation:3"]
        rest = events(session, {plg}, limit=10, before=page[-1].id)
        assert [e.subject for e in rest] == ["conversation:1", "conversation:0"]
        assert [e.subject for e in events(session, {plg, jkt}, limit=10, action="reply")] == [
            "conversation:5",
            "conversation:2",
            "conversation:1",
        ]
        assert len(events(session, None, limit=10)) == 6  # sign-ins have no office: admins only
        assert events(session, set(), limit=10) == []
        first = events(session, None, limit=1)[0]
        assert (first.officer_id, first.at, first.action) == (officer.id, NOW + dt.timedelta(minutes=5), "reply")
        with pytest.raises(AuditError, match="unknown_cursor"):
            events(session, None, limit=10, before=10**6)


def test_details_never_hold_a_full_nik_or_phone_number(db) -> None:
    officer, plg, _ = setup(db)
    with db.transaction() as session:
        event = record(
            session,
            officer,
            plg,
            "note",
            f"phone:{PHONE}",
            {
                "text": f"NIK {NIK} / {NIK[:4]} {NIK[4:8]} {NIK[8:12]} {NIK[12:]}, HP 0812-3456-7890",
                "nested": [{"phone": PHONE}, 6281234567890],
                PHONE: "as a key",
                "message_id": 42,
                "at": "2026-12-01T02:00:00+00:00",
                "code": "PLG-7K3QXM",
            },
            now=NOW,
        )
    with db.transaction() as session:
        stored = session.get(type(event), event.id)
        text = str(stored.details) + stored.subject
        for secret in (NIK, PHONE, "6281234567890", "3456"):
            assert secret not in text
        assert stored.details["text"] == "NIK ************0001 / ************0001, HP 0812****7890"
        assert stored.details["nested"] == [{"phone": "+62812****7890"}, "6281*****7890"]
        assert (stored.details["message_id"], stored.details["at"], stored.details["code"]) == (
            42,
            "2026-12-01T02:00:00+00:00",
            "PLG-7K3QXM",
        )
        assert stored.subject == "phone:+62812****7890"


def test_a_system_event_has_no_officer(db) -> None:
    _, plg, _ = setup(db)
    with db.transaction() as session:
        event = record(session, None, plg, "release", "booking:PLG-7K3QXM", now=NOW)
        assert event.officer_id is None and event.details is None


def test_phone_masks_keep_only_the_ends() -> None:
    assert mask_phone(PHONE) == "+62812****7890"
    assert scrub({"a": (PHONE,)}) == {"a": ["+62812****7890"]}
    assert audit.scrub_text("tanggal 2026-12-02 sesi 1") == "tanggal 2026-12-02 sesi 1"
