"""Offices as configuration: read, check and load the office file format."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from conversations.hours import DEFAULT_HOURS, OfficeHours, hours_table, parse_hours
from conversations.questions import DEFAULT_FEES, DEFAULT_QUESTIONS, Fee, Question, check_text, parse_keyword
from storage.models import CannedReply, ClosedDate, Office, OfficeFee, OfficeQuestion, OfficeSession
from storage.models.office import WEEKDAYS
from storage.phones import to_e164

DEFAULT_TIMEZONE = "Asia/Jakarta"  # WIB, when an office file names none
CODE_RE = re.compile(r"[A-Z]{2,5}")
TIME_RE = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")  # HH:MM, ASCII digits only
CONTENT_SID_RE = re.compile(r"HX[0-9a-fA-F]{32}")
ENTRY_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # an faq or fee key
# The keys each table of an office file may hold: any other is refused, with the nearest of these.
OFFICE_KEYS = (
    "code", "name", "hotline", "timezone", "address", "map_url", "days", "book_ahead_days", "closed",
    "sessions", "reminder_at", "confirm_by", "sms_sender", "whatsapp_templates", "canned_replies",
    "faq", "fees", "hours",
)  # fmt: skip
SESSION_KEYS = ("start", "end", "capacity")
CANNED_KEYS = ("title", "body", "language")
FAQ_KEYS = ("key", "keywords", "keywords_id", "keywords_en", "id", "en")
FEE_KEYS = ("key", "label_id", "label_en", "amount", "effective")
# The messages the system starts itself, which need a template outside WhatsApp's 24 hours.
TEMPLATE_KINDS = (
    "reminder",
    "release",
    "hold_expired",
    "move_expired",
    "waitlist_offer",
    "waitlist_expired",
    "officer",
    "office_cancelled",
    "office_moved",
    "date_closed",
    "date_closed_none",
    "date_reopened",
)


class OfficeFileError(ValueError):
    """An office file that cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class SessionSpec:
    start: str
    end: str
    capacity: int


@dataclass(frozen=True)
class OfficeSpec:
    code: str
    name: str
    hotline: str
    timezone: str
    address: str | None
    days: tuple[str, ...]
    book_ahead_days: int
    closed: tuple[dt.date, ...]
    sessions: tuple[SessionSpec, ...]
    reminder_at: str = "09:00"
    confirm_by: str = "20:00"
    sms_sender: str | None = None
    whatsapp_templates: dict[str, dict[str, str]] = field(default_factory=dict)
    canned_replies: tuple[CannedSpec, ...] = ()
    # Empty (or None for hours): the file gives none, and the defaults of conversations apply.
    faq: tuple[Question, ...] = ()
    fees: tuple[Fee, ...] = ()
    hours: OfficeHours | None = None
    map_url: str | None = None


@dataclass(frozen=True)
class CannedSpec:
    """A canned reply officers pick in the inbox: {code}, {date}, {session}, {office}, {address}, {name}."""

    title: str
    body: str
    language: str = "id"


def parse_offices(document: dict[str, Any]) -> list[OfficeSpec]:
    """Check a parsed office file ({"office": [...]}) and return its offices."""
    offices = document.get("office")
    if not isinstance(offices, list) or not offices:
        raise OfficeFileError("the file has no [[office]] tables")
    specs = [_parse_office(entry, f"office #{i}") for i, entry in enumerate(offices, start=1)]
    for key in ("code", "hotline"):
        values = [getattr(s, key) for s in specs]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise OfficeFileError(f"two offices share the {key} {', '.join(duplicates)}")
    return specs


def _parse_office(entry: Any, where: str) -> OfficeSpec:
    if not isinstance(entry, dict):
        raise OfficeFileError(f"{where}: must be a table")
    code = entry.get("code")
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        raise OfficeFileError(f"{where}: code must be 2-5 capital letters, got {code!r}")
    where = f"office {code}"
    _unknown_keys(entry, OFFICE_KEYS, where)
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise OfficeFileError(f"{where}: name must be text of 1-200 characters")
    hotline = to_e164(entry["hotline"]) if isinstance(entry.get("hotline"), str) else None
    if hotline is None:
        raise OfficeFileError(f"{where}: hotline must be a valid phone number, got {entry.get('hotline')!r}")
    timezone = entry.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise OfficeFileError(f"{where}: unknown timezone {timezone!r}") from None
    address = entry.get("address")
    if address is not None and not isinstance(address, str):
        raise OfficeFileError(f"{where}: address must be text")
    days = entry.get("days", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
        raise OfficeFileError(f"{where}: days must be a list of {', '.join(WEEKDAYS)}")
    ahead = entry.get("book_ahead_days", 30)
    if not isinstance(ahead, int) or isinstance(ahead, bool) or not 1 <= ahead <= 366:
        raise OfficeFileError(f"{where}: book_ahead_days must be a whole number from 1 to 366")
    closed = []
    for value in entry.get("closed", []) or []:
        try:
            # A TOML date-time is a datetime, itself a date: it must not pass for a date, or
            # the next reload compares it to the stored date, misses, and inserts it twice.
            if isinstance(value, dt.datetime):
                raise ValueError(value)
            closed.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        except ValueError:
            raise OfficeFileError(f"{where}: closed date {value!r} is not YYYY-MM-DD") from None
    sessions = _parse_sessions(entry.get("sessions"), where)
    times = {}
    for label, default in (("reminder_at", "09:00"), ("confirm_by", "20:00")):
        value = entry.get(label, default)
        if not isinstance(value, str) or not TIME_RE.fullmatch(value):
            raise OfficeFileError(f"{where}: {label} must be HH:MM, got {value!r}")
        times[label] = value
    sms_sender = None
    if entry.get("sms_sender") is not None:
        sms_sender = to_e164(entry["sms_sender"]) if isinstance(entry["sms_sender"], str) else None
        if sms_sender is None:
            raise OfficeFileError(f"{where}: sms_sender must be a valid phone number, got {entry['sms_sender']!r}")
    return OfficeSpec(
        code=code,
        name=name.strip(),
        hotline=hotline,
        timezone=timezone,
        address=address.strip() if address else None,
        days=tuple(d for d in WEEKDAYS if d in days),
        book_ahead_days=ahead,
        closed=tuple(sorted(set(closed))),
        sessions=sessions,
        reminder_at=times["reminder_at"],
        confirm_by=times["confirm_by"],
        sms_sender=sms_sender,
        whatsapp_templates=_parse_templates(entry.get("whatsapp_templates", {}), where),
        canned_replies=_parse_canned(entry.get("canned_replies", []), where),
        faq=_parse_faq(entry.get("faq", []), where),
        fees=_parse_fees(entry.get("fees", []), where),
        hours=_parse_hours(entry.get("hours"), where),
        map_url=_parse_map_url(entry.get("map_url"), where),
    )


def _unknown_keys(raw: dict[str, Any], known: tuple[str, ...], at: str) -> None:
    """Refuse a key the table may not hold (a misspelt one would else be read as its default)."""
    unknown = sorted(str(key) for key in set(raw) - set(known))
    if unknown:
        nearest = difflib.get_close_matches(unknown[0], known, n=1, cutoff=0.6)
        hint = f"did you mean {nearest[0]!r}? " if nearest else ""
        raise OfficeFileError(f"{at}: unknown key {unknown[0]!r} ({hint}the keys are {', '.join(known)})")


def _parse_faq(value: Any, where: str) -> tuple[Question, ...]:
    """Check [[office.faq]]: key, keywords (and/or keywords_id, keywords_en), id and en texts."""
    if not isinstance(value, list):
        raise OfficeFileError(f"{where}: faq must be a list of [[office.faq]] tables")
    questions = []
    for i, raw in enumerate(value, start=1):
        at = f"{where} faq #{i}"
        if not isinstance(raw, dict):
            raise OfficeFileError(f"{at}: must be a table")
        _unknown_keys(raw, FAQ_KEYS, at)
        key = raw.get("key")
        if not isinstance(key, str) or not ENTRY_KEY_RE.fullmatch(key):
            raise OfficeFileError(f"{at}: key must be 1-40 small letters, digits or _, got {key!r}")
        at = f"{where} faq {key}"
        keywords: list[str] = []
        for label in ("keywords", "keywords_id", "keywords_en"):
            words = raw.get(label, [])
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise OfficeFileError(f"{at}: {label} must be a list of text")
            for word in words:
                try:
                    parse_keyword(word)
                except ValueError as error:
                    raise OfficeFileError(f"{at}: {error}") from None
                if word.strip() not in keywords:
                    keywords.append(word.strip())
        if not keywords:
            raise OfficeFileError(f"{at}: needs keywords (or keywords_id, keywords_en)")
        texts = {}
        for lang in ("id", "en"):
            text = raw.get(lang)
            if not isinstance(text, str) or not text.strip() or len(text) > 1600:
                raise OfficeFileError(f"{at}: {lang} must be text of 1-1600 characters")
            try:
                check_text(text)
            except ValueError as error:
                raise OfficeFileError(f"{at}: {lang}: {error}") from None
            texts[lang] = text.strip()
        questions.append(Question(key, tuple(keywords), texts))
    keys = [q.key for q in questions]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise OfficeFileError(f"{where}: faq keys given twice: {', '.join(twice)}")
    return tuple(questions)


def _parse_fees(value: Any, where: str) -> tuple[Fee, ...]:
    """Check [[office.fees]]: key, label_id, label_en, amount (Rupiah) and effective (a date)."""
    if not isinstance(value, list):
        raise OfficeFileError(f"{where}: fees must be a list of [[office.fees]] tables")
    fees = []
    for i, raw in enumerate(value, start=1):
        at = f"{where} fee #{i}"
        if not isinstance(raw, dict):
            raise OfficeFileError(f"{at}: must be a table")
        _unknown_keys(raw, FEE_KEYS, at)
        key = raw.get("key")
        if not isinstance(key, str) or not ENTRY_KEY_RE.fullmatch(key):
            raise OfficeFileError(f"{at}: key must be 1-40 small letters, digits or _, got {key!r}")
        at = f"{where} fee {key}"
        labels = {}
        for lang in ("id", "en"):
            label = raw.get(f"label_{lang}")
            if not isinstance(label, str) or not label.strip() or len(label) > 100:
                raise OfficeFileError(f"{at}: label_{lang} must be text of 1-100 characters")
            labels[lang] = label.strip()
        amount = raw.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= 100_000_000:
            raise OfficeFileError(f"{at}: amount must be a whole number of Rupiah from 0 to 100000000")
        effective = raw.get("effective")
        try:
            # A date-time is a date too; refuse it, as for closed dates.
            if isinstance(effective, dt.datetime) or effective is None:
                raise ValueError(effective)
            day = effective if isinstance(effective, dt.date) else dt.date.fromisoformat(str(effective))
        except ValueError:
            raise OfficeFileError(f"{at}: effective must be a date (YYYY-MM-DD), got {effective!r}") from None
        fees.append(Fee(key, labels, amount, day))
    keys = [(f.key, f.effective) for f in fees]
    twice = sorted({f"{k} {d}" for k, d in keys if keys.count((k, d)) > 1})
    if twice:
        raise OfficeFileError(f"{where}: fees given twice for one key and date: {', '.join(twice)}")
    return tuple(fees)


def _parse_hours(value: Any, where: str) -> OfficeHours | None:
    """Check [office.hours]: mon … sun = "08:00-16:00" or "08:00-11:30,13:30-16:00"; a day left out is closed."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise OfficeFileError(f'{where}: hours must be a table such as [office.hours] with mon = "08:00-16:00"')
    try:
        hours = parse_hours(value)
    except ValueError as error:
        raise OfficeFileError(f"{where}: hours: {error}") from None
    if not any(hours.week):
        raise OfficeFileError(f"{where}: hours open on no day; leave [office.hours] out for the default hours")
    return hours


def _parse_map_url(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not value.startswith("https://")
        or len(value) > 500
        or any(c.isspace() for c in value)
    ):
        raise OfficeFileError(f"{where}: map_url must be an https:// link of at most 500 characters, got {value!r}")
    return value


def _parse_canned(value: Any, where: str) -> tuple[CannedSpec, ...]:
    """Check [[office.canned_replies]]: title, body and an optional language (id, en)."""
    if not isinstance(value, list):
        raise OfficeFileError(f"{where}: canned_replies must be a list of [[office.canned_replies]] tables")
    replies = []
    for i, raw in enumerate(value, start=1):
        at = f"{where} canned reply #{i}"
        if not isinstance(raw, dict):
            raise OfficeFileError(f"{at}: must be a table")
        _unknown_keys(raw, CANNED_KEYS, at)
        title, body, language = raw.get("title"), raw.get("body"), raw.get("language", "id")
        if not isinstance(title, str) or not title.strip() or len(title) > 100:
            raise OfficeFileError(f"{at}: title must be text of 1-100 characters")
        if not isinstance(body, str) or not body.strip() or len(body) > 1600:
            raise OfficeFileError(f"{at}: body must be text of 1-1600 characters")
        if language not in ("id", "en"):
            raise OfficeFileError(f"{at}: language must be id or en, got {language!r}")
        replies.append(CannedSpec(title.strip(), body.strip(), language))
    keys = [(r.title, r.language) for r in replies]
    twice = sorted({f"{t} ({lang})" for t, lang in keys if keys.count((t, lang)) > 1})
    if twice:
        raise OfficeFileError(f"{where}: canned reply titles given twice: {', '.join(twice)}")
    return tuple(sorted(replies, key=lambda r: (r.language, r.title)))


def _parse_templates(value: Any, where: str) -> dict[str, dict[str, str]]:
    """Check [office.whatsapp_templates]: kind = { id = "HX…", en = "HX…" }."""
    if not isinstance(value, dict):
        raise OfficeFileError(f"{where}: whatsapp_templates must be a table")
    templates = {}
    for kind, languages in value.items():
        if kind not in TEMPLATE_KINDS:
            raise OfficeFileError(f"{where}: whatsapp_templates.{kind} is not one of {', '.join(TEMPLATE_KINDS)}")
        if not isinstance(languages, dict) or not languages:
            raise OfficeFileError(f"{where}: whatsapp_templates.{kind} must map languages (id, en) to ContentSids")
        for lang, sid in languages.items():
            if lang not in ("id", "en") or not isinstance(sid, str) or not CONTENT_SID_RE.fullmatch(sid):
                raise OfficeFileError(
                    f"{where}: whatsapp_templates.{kind}.{lang} must be id or en = a ContentSid (HX + 32 hex)"
                )
        templates[kind] = dict(sorted(languages.items()))
    return dict(sorted(templates.items()))


def _parse_sessions(value: Any, where: str) -> tuple[SessionSpec, ...]:
    if not isinstance(value, list) or not value:
        raise OfficeFileError(f"{where}: needs at least one [[office.sessions]]")
    sessions = []
    for i, raw in enumerate(value, start=1):
        at = f"{where} session #{i}"
        if not isinstance(raw, dict):
            raise OfficeFileError(f"{at}: must be a table")
        _unknown_keys(raw, SESSION_KEYS, at)
        start, end, capacity = (
            _time(raw.get("start"), at, "start"),
            _time(raw.get("end"), at, "end"),
            raw.get("capacity"),
        )
        if end <= start:
            raise OfficeFileError(f"{at}: end {end} must come after start {start}")
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 <= capacity <= 10_000:
            raise OfficeFileError(f"{at}: capacity must be a whole number from 0 to 10000")
        sessions.append(SessionSpec(start, end, capacity))
    sessions.sort(key=lambda s: s.start)
    for earlier, later in zip(sessions, sessions[1:], strict=False):
        if later.start < earlier.end:
            raise OfficeFileError(
                f"{where}: sessions {earlier.start}-{earlier.end} and {later.start}-{later.end} overlap"
            )
    return tuple(sessions)


def load_offices(session: Session, specs: list[OfficeSpec]) -> list[tuple[str, str]]:
    """Create or update the offices; return (code, "created" | "updated" | "unchanged") for each."""
    results = []
    for spec in specs:
        office = session.scalar(
            select(Office)
            .where(Office.code == spec.code)
            .options(selectinload(Office.sessions), selectinload(Office.closed_dates))
        )
        clash = session.scalar(select(Office.code).where(Office.hotline == spec.hotline, Office.code != spec.code))
        if clash:
            raise OfficeFileError(f"office {spec.code}: hotline {spec.hotline} already belongs to office {clash}")
        if office is None:
            office = Office(code=spec.code)
            session.add(office)
            outcome = "created"
        else:
            outcome = "updated"
        before = _snapshot(session, office) if outcome == "updated" else None
        office.name, office.hotline, office.timezone = spec.name, spec.hotline, spec.timezone
        office.address, office.days = spec.address, ",".join(spec.days)
        office.book_ahead_days = spec.book_ahead_days
        office.reminder_at, office.confirm_by = spec.reminder_at, spec.confirm_by
        office.sms_sender, office.whatsapp_templates = spec.sms_sender, spec.whatsapp_templates
        office.hours = hours_table(spec.hours) if spec.hours is not None else None
        office.map_url = spec.map_url
        session.flush()
        _load_sessions(session, office, spec.sessions)
        _load_closed(session, office, spec.closed)
        _load_canned(session, office, spec.canned_replies)
        _load_faq(session, office, spec.faq)
        _load_fees(session, office, spec.fees)
        session.flush()
        session.refresh(office)
        if before is not None and before == _snapshot(session, office):
            outcome = "unchanged"
        results.append((spec.code, outcome))
    return results


def _time(value: Any, at: str, label: str) -> str:
    """Return value if it is a time of day written HH:MM, else raise OfficeFileError."""
    if not isinstance(value, str) or not TIME_RE.fullmatch(value):
        raise OfficeFileError(f"{at}: {label} must be HH:MM, got {value!r}")
    return value


def _snapshot(session: Session, office: Office) -> tuple[Any, ...]:
    return (
        office.name,
        office.hotline,
        office.timezone,
        office.address,
        office.days,
        office.book_ahead_days,
        office.reminder_at,
        office.confirm_by,
        office.sms_sender,
        repr(office.whatsapp_templates or {}),
        repr(office.hours),
        office.map_url,
        tuple(
            (q.position, q.key, tuple(q.keywords), q.text_id, q.text_en)
            for q in session.scalars(
                select(OfficeQuestion).where(OfficeQuestion.office_id == office.id).order_by(OfficeQuestion.position)
            )
        ),
        tuple(
            (f.position, f.key, f.effective, f.label_id, f.label_en, f.amount)
            for f in session.scalars(
                select(OfficeFee).where(OfficeFee.office_id == office.id).order_by(OfficeFee.position)
            )
        ),
        tuple(
            sorted(
                (c.title, c.language, c.body)
                for c in session.scalars(select(CannedReply).where(CannedReply.office_id == office.id))
            )
        ),
        tuple((s.start, s.end, s.capacity, s.active) for s in office.sessions if s.only_on is None),
        tuple(sorted((c.date, c.source) for c in office.closed_dates)),
    )


def _load_sessions(session: Session, office: Office, specs: tuple[SessionSpec, ...]) -> None:
    # The file describes the daily sessions; extra one-date sessions are the supervisors'.
    existing = {
        s.start: s
        for s in session.scalars(
            select(OfficeSession).where(OfficeSession.office_id == office.id, OfficeSession.only_on.is_(None))
        )
    }
    wanted = {s.start for s in specs}
    for spec in specs:
        row = existing.get(spec.start)
        if row is None:
            session.add(
                OfficeSession(office_id=office.id, start=spec.start, end=spec.end, capacity=spec.capacity, active=True)
            )
        else:
            row.end, row.capacity, row.active = spec.end, spec.capacity, True
    # Sessions dropped from the file stop taking bookings; rows stay for the bookings made in them.
    for start, row in existing.items():
        if start not in wanted:
            row.active = False


def _load_canned(session: Session, office: Office, replies: tuple[CannedSpec, ...]) -> None:
    """Make the office's canned replies those of the file (matched by title and language)."""
    existing = {
        (c.title, c.language): c for c in session.scalars(select(CannedReply).where(CannedReply.office_id == office.id))
    }
    for reply in replies:
        row = existing.pop((reply.title, reply.language), None)
        if row is None:
            session.add(CannedReply(office_id=office.id, title=reply.title, body=reply.body, language=reply.language))
        else:
            row.body = reply.body
    for row in existing.values():
        session.delete(row)


def _load_faq(session: Session, office: Office, questions: tuple[Question, ...]) -> None:
    """Make the office's questions those of the file (matched by key), in the file's order."""
    existing = {q.key: q for q in session.scalars(select(OfficeQuestion).where(OfficeQuestion.office_id == office.id))}
    for position, question in enumerate(questions):
        row = existing.pop(question.key, None)
        if row is None:
            row = OfficeQuestion(office_id=office.id, key=question.key)
            session.add(row)
        row.position, row.keywords = position, list(question.keywords)
        row.text_id, row.text_en = question.texts["id"], question.texts["en"]
    for row in existing.values():
        session.delete(row)


def _load_fees(session: Session, office: Office, fees: tuple[Fee, ...]) -> None:
    """Make the office's fees those of the file (matched by key and effective date), in the file's order."""
    existing = {
        (f.key, f.effective): f for f in session.scalars(select(OfficeFee).where(OfficeFee.office_id == office.id))
    }
    for position, fee in enumerate(fees):
        row = existing.pop((fee.key, fee.effective), None)
        if row is None:
            row = OfficeFee(office_id=office.id, key=fee.key, effective=fee.effective)
            session.add(row)
        row.position, row.amount = position, fee.amount
        row.label_id, row.label_en = fee.label["id"], fee.label["en"]
    for row in existing.values():
        session.delete(row)


def _load_closed(session: Session, office: Office, dates: tuple[dt.date, ...]) -> None:
    existing = {c.date: c for c in session.scalars(select(ClosedDate).where(ClosedDate.office_id == office.id))}
    for day in dates:
        if day not in existing:
            session.add(ClosedDate(office_id=office.id, date=day, source="file"))
    for day, row in existing.items():
        if row.source == "file" and day not in dates:
            session.delete(row)


# Built once: every citizen's message looks its office up (constructing a statement costs
# about as much as running it).
_OFFICE_BY_HOTLINE = select(Office).where(Office.hotline == bindparam("hotline"))


def office_by_hotline(session: Session, hotline: str) -> Office | None:
    """Return the office whose hotline number is this E.164 number, or None."""
    return session.scalar(_OFFICE_BY_HOTLINE, {"hotline": hotline})


def office_by_code(session: Session, code: str) -> Office | None:
    """Return the office with this code, or None."""
    return session.scalar(select(Office).where(Office.code == code))


def all_offices(session: Session) -> list[Office]:
    """Return every office, by code."""
    return list(session.scalars(select(Office).order_by(Office.code)))


def office_questions(session: Session, office: Office) -> tuple[Question, ...]:
    """Return the questions the office answers, in its file's order; the defaults if its file has none."""
    rows = session.scalars(
        select(OfficeQuestion).where(OfficeQuestion.office_id == office.id).order_by(OfficeQuestion.position)
    ).all()
    if not rows:
        return DEFAULT_QUESTIONS
    return tuple(Question(q.key, tuple(q.keywords), {"id": q.text_id, "en": q.text_en}) for q in rows)


def office_fees(session: Session, office: Office) -> tuple[Fee, ...]:
    """Return every fee the office quotes, past and future, in its file's order; the defaults if it has none."""
    rows = session.scalars(select(OfficeFee).where(OfficeFee.office_id == office.id).order_by(OfficeFee.position)).all()
    if not rows:
        return DEFAULT_FEES
    return tuple(Fee(f.key, {"id": f.label_id, "en": f.label_en}, f.amount, f.effective) for f in rows)


def office_hours(session: Session, office: Office) -> OfficeHours:
    """Return the office's desk hours; the default hours if its file gives none."""
    return parse_hours(office.hours) if office.hours is not None else DEFAULT_HOURS
