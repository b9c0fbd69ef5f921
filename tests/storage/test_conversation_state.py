"""What the machine is given and what it leaves: facts loaded before the step, one writer of the state.

load_facts looks up the bookings of the NIKs a message may hold before the machine runs (the
machine runs no SQL); save_state is the one place a conversation's state and the columns that
mirror it (language, handover, opted out) are written, so they always agree.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

import hotline.dialogue
from conversations.state import Draft, State
from storage import inbox
from storage.bookings import active_codes_for_niks
from storage.conversations import load_state, lock_conversation, save_state
from storage.db import Database
from storage.facts import load_facts
from storage.holds import back_to_menu
from storage.models import Conversation
from storage.offices import office_by_code
from storage.outbox import opt_out
from tests.builders import make_booking, make_officer, nik
from tests.conftest import START

ROOT = Path(__file__).resolve().parent.parent.parent
PHONE = "+6281234567890"  # the `citizen` fixture's number
OTHER = "+6281311112222"
WEDNESDAY = dt.date(2026, 12, 2)


@contextlib.contextmanager
def statements(engine: Engine | type[Engine]) -> Iterator[list[str]]:
    """Collect the SQL statements the engine (or every engine) runs meanwhile."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def facts_for(db: Database, text: str, *, state: State | None = None, phone: str = PHONE):
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        conversation = lock_conversation(session, office, phone, "whatsapp", START)
        if state is not None:
            save_state(conversation, state)
        return load_facts(session, office, conversation, START, max_bookings=5, hold_minutes=10, text=text)


def assert_mirrors_agree(conversation: Conversation) -> None:
    state = load_state(conversation)
    assert (conversation.language, conversation.handover, conversation.opted_out) == (
        state.lang,
        state.handover,
        state.opted_out,
    )


# --- facts: plain data, loaded before the step ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        nik(1),
        "1671 0101 0190 0001",
        "NIK saya 1671.0101.0190.0001, Budi Santoso",
        "salah nik 1671 0101 ganti 0190 0001",  # the words the machine takes out at the summary
    ],
)
def test_load_facts_gives_the_booking_of_a_nik_in_the_message(db, text) -> None:
    code = make_booking(db, OTHER, 1, WEDNESDAY)
    facts = facts_for(db, text)
    assert type(facts.nik_bookings) is dict
    assert facts.nik_bookings == {nik(1): code}


def test_load_facts_gives_the_booking_of_the_drafts_nik(db) -> None:
    code = make_booking(db, OTHER, 1, WEDNESDAY)
    state = State(step="date", draft=Draft(service="new", passport_type="ordinary", name="Budi", nik=nik(1)))
    assert facts_for(db, "besok", state=state).nik_bookings == {nik(1): code}
    # No NIK written and none in the draft: nothing to look up.
    assert facts_for(db, "besok", phone="+6281399998888").nik_bookings == {}


def test_load_facts_looks_up_every_nik_in_one_query(db) -> None:
    first, second = make_booking(db, OTHER, 1, WEDNESDAY), make_booking(db, OTHER, 2, WEDNESDAY, "10:00")
    with statements(db.engine) as seen:
        facts = facts_for(db, f"{nik(1)} dan {nik(2)}, bukan {nik(3)}")
    assert facts.nik_bookings == {nik(1): first, nik(2): second}
    assert len([s for s in seen if "bookings.nik IN" in s]) == 1


def test_active_codes_for_niks_leaves_out_free_and_unknown_niks(db) -> None:
    code = make_booking(db, OTHER, 1, WEDNESDAY)
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        assert active_codes_for_niks(session, office, [nik(1), nik(4), "0000"], WEDNESDAY) == {nik(1): code}
        assert active_codes_for_niks(session, office, [nik(1)], WEDNESDAY + dt.timedelta(days=1)) == {}  # past
        assert active_codes_for_niks(session, office, [], WEDNESDAY) == {}


def test_the_machine_runs_no_sql_while_it_steps(db, citizen, monkeypatch) -> None:
    make_booking(db, OTHER, 1, WEDNESDAY)
    during: list[str] = []
    real_step = hotline.dialogue.step

    def step(*args, **kwargs):
        with statements(Engine) as seen:
            outcome = real_step(*args, **kwargs)
        during.extend(seen)
        return outcome

    monkeypatch.setattr(hotline.dialogue, "step", step)
    for text in ("MENU", "1", "baru biasa", "Budi Santoso"):
        citizen.says(text)
    replies = citizen.says("1671 0101 0190 0001")  # the NIK of another number's booking
    assert "dari nomor lain" in replies[0]
    assert during == []


# --- one writer of the state and its mirrors --------------------------------------------------


def test_save_state_writes_the_state_and_its_mirrors(db) -> None:
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        conversation = lock_conversation(session, office, PHONE, "whatsapp", START)
        save_state(conversation, State(step="menu", lang="en", handover=True))
        assert load_state(conversation) == State(step="menu", lang="en", handover=True)
        assert (conversation.language, conversation.handover, conversation.opted_out) == ("en", True, False)


def test_an_officer_taking_over_and_handing_back_keeps_state_and_mirror_together(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    citizen.says("english please")
    with db.transaction() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.phone == PHONE))
        inbox.take_over(session, ani, conversation, clock())
        assert load_state(conversation).handover and conversation.handover
        assert_mirrors_agree(conversation)
    with db.transaction() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.phone == PHONE))
        inbox.hand_back(session, ani, conversation, clock())
        assert not load_state(conversation).handover and not conversation.handover
        assert load_state(conversation).lang == conversation.language == "en"
        assert_mirrors_agree(conversation)


def test_a_resolved_conversation_is_back_with_the_bot_in_state_and_mirror(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    citizen.says("PETUGAS")
    with db.transaction() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.phone == PHONE))
        assert load_state(conversation).handover and conversation.handover
        inbox.resolve(session, ani, conversation, clock())
        assert not load_state(conversation).handover and not conversation.handover
        assert_mirrors_agree(conversation)


def test_an_opt_out_from_twilio_is_in_state_and_mirror(db, citizen) -> None:
    citizen.says("PETUGAS")  # an officer's conversation: opting out ends the handover too
    with db.transaction() as session:
        conversation_id = session.scalar(select(Conversation.id).where(Conversation.phone == PHONE))
        opt_out(session, conversation_id, START)  # as on Twilio's error 21610
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        state = load_state(conversation)
        assert state.opted_out and conversation.opted_out
        assert not state.handover and not conversation.handover
        assert_mirrors_agree(conversation)


def test_back_to_the_menu_keeps_the_mirrors(db) -> None:
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        conversation = lock_conversation(session, office, PHONE, "whatsapp", START)
        draft = Draft(service="new", passport_type="ordinary", name="Budi", nik=nik(1), date=WEDNESDAY, session_id=1)
        save_state(conversation, State(step="confirm", lang="en", draft=draft))
        back_to_menu(conversation)
        assert load_state(conversation) == replace(State(step="confirm", lang="en"), step="menu")
        assert_mirrors_agree(conversation)


# --- the rule stays: storage/conversations.py is the one writer -------------------------------

MIRRORS = {"state", "handover", "opted_out"}  # attributes only a conversation has


def state_writes(path: Path) -> list[str]:
    """Return where a file assigns a conversation's state or a mirror of it ("file:line .attr")."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if not isinstance(part, ast.Attribute):
                        continue
                    owner = ast.unparse(part.value).lower()
                    if part.attr in MIRRORS or (part.attr == "language" and "conversation" in owner):
                        found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno} .{part.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values":
            for keyword in node.keywords:
                if keyword.arg in MIRRORS:
                    found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno} values({keyword.arg}=)")
    return found


def test_only_storage_conversations_writes_a_conversations_state() -> None:
    paths = [p for package in ("hotline", "storage", "scheduler") for p in sorted((ROOT / package).rglob("*.py"))]
    writes = [
        w
        for path in [*paths, ROOT / "wsgi.py"]
        if path != ROOT / "storage/conversations.py"
        for w in state_writes(path)
    ]
    assert writes == []
    assert state_writes(ROOT / "storage/conversations.py")  # the check sees the one writer there is
