"""The officers' shared inbox: citizens write through the real webhook, officers act through storage.inbox."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from conversations.state import State
from scheduler.delivery import choose_route
from storage import inbox
from storage.audit import events
from storage.db import Database
from storage.inbox import InboxError, mask_phone
from storage.models import (
    AuditEvent,
    Booking,
    CannedReply,
    Conversation,
    Message,
    Note,
    Office,
    Officer,
)
from storage.outbox import claim_due
from tests.builders import book, make_officer

PHONE = "+6281234567890"  # the `citizen` fixture's number
OTHER = "+6281311112222"
NIK = "1671014501900001"
TEMPLATE_SID = "HX" + "c" * 32
SMS_SENDER = "+6281100001111"


# --- builders -------------------------------------------------------------------------------


def add_office(db: Database, code: str = "JKT") -> int:
    with db.transaction() as session:
        office = Office(
            code=code,
            name="Kantor Imigrasi Jakarta Selatan",
            hotline="+6221000000" + str(len(code)),
            timezone="Asia/Jakarta",
            days="mon,tue,wed,thu,fri",
            book_ahead_days=30,
        )
        session.add(office)
        session.flush()
        return office.id


def conversation_of(session, phone: str = PHONE) -> Conversation:
    return session.scalar(select(Conversation).where(Conversation.phone == phone))


def plg(session) -> int:
    return session.scalar(select(Office.id).where(Office.code == "PLG"))


def rows(db: Database, officer: Officer, view: str, clock, offices: set[int] | None = None) -> list[inbox.InboxRow]:
    with db.transaction() as session:
        return inbox.conversations_for(session, offices, view=view, officer=officer, now=clock())


def act(db: Database, action, officer: Officer, *args, phone: str = PHONE, **kwargs):
    """Run one inbox action on the citizen's conversation in its own transaction, as a page would."""
    with db.transaction() as session:
        return action(session, officer, conversation_of(session, phone), *args, **kwargs)


# --- the list -------------------------------------------------------------------------------


def test_the_waiting_view_shows_a_citizen_who_asked_for_an_officer(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    assert "petugas" in citizen.says("PETUGAS")[0].lower()
    clock.advance(minutes=1)
    citizen.other(OTHER).says("halo")  # the bot has this one

    (waiting,) = rows(db, ani, "waiting", clock)
    assert waiting.phone == "+62812****7890" and "3456" not in waiting.phone
    assert waiting.handover and waiting.waiting_since is not None
    assert waiting.unread == 1 and waiting.preview_author == "bot" and "petugas" in waiting.preview.lower()
    assert waiting.assigned_officer is None and waiting.replying_officer is None
    every = rows(db, ani, "all", clock)
    assert [r.phone for r in every] == [mask_phone(OTHER), mask_phone(PHONE)]  # newest activity first
    assert rows(db, ani, "mine", clock) == []
    assert rows(db, ani, "all", clock, offices={add_office(db)}) == []  # scoped to the offices given


def test_pages_follow_the_cursor_and_bad_input_is_refused(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    for n in range(5):
        citizen.other(f"+62813111100{n:02d}").says("halo")
        clock.advance(seconds=1)
    with db.transaction() as session:
        first = inbox.conversations_for(session, None, view="all", officer=ani, now=clock(), limit=2)
        second = inbox.conversations_for(
            session, None, view="all", officer=ani, now=clock(), limit=2, before=first[-1].cursor
        )
        rest = inbox.conversations_for(session, None, view="all", officer=ani, now=clock(), before=second[-1].cursor)
        assert [r.phone[-4:] for r in first + second + rest] == ["0004", "0003", "0002", "0001", "0000"]
        for bad in ({"view": "spam"}, {"view": "all", "before": "yesterday"}):
            with pytest.raises(InboxError):
                inbox.conversations_for(session, None, officer=ani, now=clock(), **bad)


def test_unread_counts_rise_with_the_citizens_messages_and_fall_after_mark_read(db, citizen, clock) -> None:
    ani, budi = make_officer(db, "ani", password=None), make_officer(db, "budi", password=None)
    citizen.says("PETUGAS")
    citizen.says("halo?")
    citizen.says("ada orang?")
    assert [r.unread for r in rows(db, ani, "all", clock)] == [3]
    with db.transaction() as session:
        conversation = conversation_of(session)
        last = inbox.thread(session, conversation.id, clock()).last_message_id
        assert inbox.mark_read(session, ani, conversation.id, last) == last
    assert [r.unread for r in rows(db, ani, "all", clock)] == [0]
    citizen.says("tolong")
    assert [r.unread for r in rows(db, ani, "all", clock)] == [1]
    assert [r.unread for r in rows(db, budi, "all", clock)] == [4]  # each officer's own
    with db.transaction() as session:
        conversation = conversation_of(session)
        assert inbox.mark_read(session, ani, conversation.id, 1) == last  # never backwards
        assert inbox.mark_read(session, ani, conversation.id, 10**9) > last  # never past the last
    assert [r.unread for r in rows(db, ani, "all", clock)] == [0]


# --- taking over and handing back -----------------------------------------------------------


def test_take_over_silences_the_bot_and_hand_back_makes_it_answer_again(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    citizen.says("PETUGAS")
    assert act(db, inbox.take_over, ani, clock()) is True
    assert act(db, inbox.take_over, ani, clock()) is False  # already hers
    assert rows(db, ani, "waiting", clock) == []
    (mine,) = rows(db, ani, "mine", clock)
    assert mine.assigned_officer == "ani" and mine.waiting_since is None

    assert citizen.says("halo, saya mau tanya") == []
    with db.transaction() as session:
        conversation = conversation_of(session)
        assert conversation.handover and State.from_json(conversation.state).handover
        assert session.scalar(select(Message.body).order_by(Message.id.desc()).limit(1)) == "halo, saya mau tanya"

    assert act(db, inbox.hand_back, ani, clock()) is True
    with db.transaction() as session:
        conversation = conversation_of(session)
        assert not conversation.handover and not State.from_json(conversation.state).handover
        assert conversation.assigned_officer_id is None
    assert "Layanan paspor" in citizen.says("halo")[0]
    assert rows(db, ani, "mine", clock) == []


def test_taking_over_a_citizen_in_the_middle_of_booking_gives_the_held_place_back(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    for text in ("1", "baru biasa", "Budi Santoso", NIK, "2/12", "1"):
        citizen.says(text)
    with db.transaction() as session:
        assert session.scalar(select(Booking.status)) == "held"
    act(db, inbox.take_over, ani, clock())
    with db.transaction() as session:
        assert session.scalar(select(Booking.status)) == "expired"
        assert State.from_json(conversation_of(session).state).step == "menu"
    assert citizen.says("YA") == []  # nothing to confirm, and the bot is silent
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Booking).where(Booking.status == "booked")) == 0


def test_resolving_hands_back_to_the_bot_and_a_new_message_reopens(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    citizen.says("PETUGAS")
    act(db, inbox.take_over, ani, clock())
    assert act(db, inbox.resolve, ani, clock()) is True
    assert act(db, inbox.resolve, ani, clock()) is False
    (row,) = rows(db, ani, "all", clock)
    assert row.resolved_at is not None and not row.handover and row.assigned_officer_id is None
    assert "Layanan paspor" in citizen.says("halo lagi")[0]  # the bot answers
    (row,) = rows(db, ani, "all", clock)
    assert row.resolved_at is None and rows(db, ani, "waiting", clock) == []
    citizen.says("PETUGAS")
    assert len(rows(db, ani, "waiting", clock)) == 1


def test_a_conversation_assigned_to_someone_is_theirs_unless_a_supervisor_steps_in(db, citizen, clock) -> None:
    ani, budi = make_officer(db, "ani", password=None), make_officer(db, "budi", password=None)
    sari = make_officer(db, "sari", role="supervisor", password=None)
    citizen.says("PETUGAS")
    act(db, inbox.take_over, ani, clock())
    for action, args in ((inbox.take_over, ()), (inbox.hand_back, ()), (inbox.resolve, ()), (inbox.assign, (budi,))):
        with pytest.raises(InboxError) as refused:
            act(db, action, budi, *args, clock())
        assert refused.value.reason == "assigned_to_other"
    with pytest.raises(InboxError, match="assigned_to_other"):
        act(db, inbox.reply, budi, "Saya bantu", clock(), nonce="n-budi")
    message = act(db, inbox.reply, sari, "Saya supervisor", clock(), nonce="n-sari")
    assert message.officer_id == sari.id
    assert rows(db, ani, "mine", clock)[0].assigned_officer == "ani"  # a supervisor's reply keeps it hers
    assert act(db, inbox.assign, sari, budi, clock()) is True
    assert rows(db, budi, "mine", clock)[0].assigned_officer == "budi"


def test_assignment_to_an_officer_of_another_office_is_refused(db, citizen, clock) -> None:
    add_office(db)
    ani = make_officer(db, "ani", password=None)
    jakarta = make_officer(db, "joko", offices=("JKT",), password=None)
    root = make_officer(db, "root", role="admin", offices=(), password=None)
    citizen.says("PETUGAS")
    with pytest.raises(InboxError) as refused:
        act(db, inbox.assign, ani, jakarta, clock())
    assert refused.value.reason == "assignee_not_in_office"
    assert act(db, inbox.assign, ani, root, clock()) is True  # an admin serves every office
    assert rows(db, ani, "waiting", clock) == []
    assert act(db, inbox.assign, root, None, clock()) is True  # to nobody: waits again
    assert len(rows(db, ani, "waiting", clock)) == 1
    gone = make_officer(db, "gone", password=None)
    gone.active = False
    with pytest.raises(InboxError, match="inactive_assignee"):
        act(db, inbox.assign, root, gone, clock())


# --- replies --------------------------------------------------------------------------------


def test_a_reply_is_queued_once_even_when_submitted_twice(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    citizen.says("PETUGAS")
    first = act(db, inbox.reply, ani, "Selamat pagi, ada yang bisa dibantu?", clock(), nonce="form-1")
    again = act(db, inbox.reply, ani, "Selamat pagi, ada yang bisa dibantu?", clock(), nonce="form-1")
    assert again.id == first.id
    with db.transaction() as session:
        (queued,) = session.scalars(select(Message).where(Message.author == "officer")).all()
        assert (queued.direction, queued.kind, queued.delivery, queued.officer_id) == (
            "out",
            "officer",
            "pending",
            ani.id,
        )
        assert queued.dedupe_key == "officer:form-1"
        conversation = conversation_of(session)
        assert conversation.handover and conversation.assigned_officer_id == ani.id  # replying took it over
        claimed = claim_due(session, clock(), lease=dt.timedelta(minutes=5), batch=10, max_attempts=8)
        assert [c.id for c in claimed] == [queued.id]  # the delivery sweep picks it up
        assert choose_route(claimed[0], clock()).body == "Selamat pagi, ada yang bisa dibantu?"
    assert citizen.says("terima kasih") == []  # the bot stays out of it
    act(db, inbox.reply, ani, "Sama-sama", clock(), nonce="form-2")
    with db.transaction() as session:
        assert session.scalar(select(func.count()).where(Message.author == "officer")) == 2
        assert [e.action for e in events(session, None, limit=10)] == ["reply", "reply", "take_over"]


def test_replies_that_cannot_go_are_refused(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    citizen.says("PETUGAS")
    for body, reason in (("", "empty"), ("  \n\t ", "empty"), ("x" * 1601, "too_long")):
        with pytest.raises(InboxError) as refused:
            act(db, inbox.reply, ani, body, clock(), nonce="n1")
        assert refused.value.reason == reason
    for nonce in ("", "n" * 101):
        with pytest.raises(InboxError, match="bad_nonce"):
            act(db, inbox.reply, ani, "halo", clock(), nonce=nonce)
    act(db, inbox.reply, ani, "halo", clock(), nonce="n1")
    citizen.other(OTHER).says("PETUGAS")
    with pytest.raises(InboxError, match="bad_nonce"):  # a nonce of another conversation
        act(db, inbox.reply, ani, "halo", clock(), nonce="n1", phone=OTHER)
    citizen.says("STOP")
    with pytest.raises(InboxError, match="opted_out"):
        act(db, inbox.reply, ani, "halo?", clock(), nonce="n2")
    with pytest.raises(InboxError, match="opted_out"):
        act(db, inbox.take_over, ani, clock())
    assert [r.phone for r in rows(db, ani, "waiting", clock)] == [mask_phone(OTHER)]


def test_outside_whatsapps_window_a_reply_goes_as_the_officer_template_or_sms(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    citizen.says("PETUGAS")
    with db.transaction() as session:
        assert inbox.window_open(conversation_of(session), clock())
    clock.advance(hours=25)
    with db.transaction() as session:
        assert not inbox.window_open(conversation_of(session), clock())
        assert not inbox.thread(session, conversation_of(session).id, clock()).window_open
        session.execute(
            update(Office).values(whatsapp_templates={"officer": {"id": TEMPLATE_SID}}, sms_sender=SMS_SENDER)
        )
    act(db, inbox.reply, ani, "Berkas Anda\nsudah lengkap.", clock(), nonce="late")
    with db.transaction() as session:
        (claim,) = claim_due(session, clock(), lease=dt.timedelta(minutes=5), batch=10, max_attempts=8)
        route = choose_route(claim, clock())
        assert (route.via, route.content_sid, route.content_variables) == (
            "whatsapp_template",
            TEMPLATE_SID,
            {"1": "Berkas Anda sudah lengkap."},
        )
        session.execute(update(Office).values(whatsapp_templates={}))
    with db.transaction() as session:
        (claim,) = claim_due(
            session, clock() + dt.timedelta(minutes=6), lease=dt.timedelta(minutes=5), batch=10, max_attempts=8
        )
        route = choose_route(claim, clock())
        assert (route.via, route.from_, route.body) == ("sms", SMS_SENDER, "Berkas Anda\nsudah lengkap.")


def test_on_sms_the_window_is_always_open(db, citizen, clock) -> None:
    texter = citizen.other(OTHER, whatsapp=False)
    texter.says("PETUGAS")
    clock.advance(days=3)
    with db.transaction() as session:
        assert inbox.window_open(conversation_of(session, OTHER), clock())


# --- the thread, notes, canned replies ------------------------------------------------------


def test_the_thread_interleaves_notes_by_time_and_notes_are_never_sent(db, citizen, clock) -> None:
    ani = make_officer(db, "ani", password=None)
    citizen.says("PETUGAS")
    clock.advance(minutes=1)
    note = act(db, inbox.add_note, ani, f"Minta cek berkas, NIK {NIK}", clock())
    clock.advance(minutes=1)
    act(db, inbox.reply, ani, "Baik, kami cek.", clock(), nonce="t1")
    with pytest.raises(InboxError, match="empty"):
        act(db, inbox.add_note, ani, "   ", clock())
    with db.transaction() as session:
        conversation = conversation_of(session)
        shown = inbox.thread(session, conversation.id, clock())
        assert [(e.kind, e.author) for e in shown.entries] == [
            ("message", "citizen"),
            ("message", "bot"),
            ("note", "officer"),
            ("message", "officer"),
        ]
        assert shown.entries[2].body == "Minta cek berkas, NIK ************0001" and shown.entries[2].officer == "ani"
        assert shown.entries[3].delivery == "pending" and shown.entries[3].officer == "ani"
        assert shown.phone == "+62812****7890" and shown.assigned_officer == "ani"
        assert session.scalar(select(func.count()).select_from(Message).where(Message.body.contains("berkas"))) == 0
        assert session.get(Note, note.id).body.endswith(NIK)  # stored as written, masked when shown
        with pytest.raises(InboxError, match="not_found"):
            inbox.thread(session, 10**6, clock())


def test_the_thread_shows_the_citizens_bookings_and_canned_replies_fill_them_in(db, citizen, clock) -> None:
    jakarta = add_office(db)
    book(citizen, nik=NIK, menu=False)
    citizen.says("PETUGAS")
    with db.transaction() as session:
        office_id = plg(session)
        session.execute(CannedReply.__table__.delete())  # not the default office file's: these
        session.add_all(
            [
                CannedReply(
                    office_id=office_id,
                    title="Jadwal",
                    language="id",
                    body="Halo {name}, kode {code}: {date} sesi {session} di {office}, {address}. {unknown} {Code",
                ),
                CannedReply(office_id=None, title="Alamat", language="id", body="Alamat: {address}"),
                CannedReply(office_id=None, title="Address", language="en", body="Address: {address}"),
                CannedReply(office_id=None, title="Antrian", language="id", body="{code}"),
                CannedReply(office_id=jakarta, title="Jakarta", language="id", body="Jakarta"),
            ]
        )
    with db.transaction() as session:
        conversation = conversation_of(session)
        shown = inbox.thread(session, conversation.id, clock())
        (line,) = shown.bookings
        assert (shown.name, line.date_words, line.start, line.nik) == (
            "Budi Santoso",
            "Rabu, 2 Desember 2026",
            "08:00",
            "************0001",
        )
        assert NIK not in " ".join(e.body for e in shown.entries)  # the citizen's NIK masked in the thread
        replies = inbox.canned_replies(session, office_id, "id")
        assert [r.title for r in replies] == ["Jadwal", "Alamat", "Antrian"]  # the office's own first
        booking = session.get(Booking, line.id)
        text = inbox.render_canned(replies[0], conversation, booking)
        assert text == (
            f"Halo Budi Santoso, kode {line.code}: Rabu, 2 Desember 2026 sesi 08:00-10:00 di "
            "Kantor Imigrasi Kelas I Palembang, Jl. Parameswara No. 1, Bukit Lama, Palembang. "
            "{unknown} {Code"
        )
        assert inbox.render_canned(replies[2], conversation) == "{code}"  # no booking: left to fill in
        conversation.language = "en"
        assert "Wednesday, 2 December 2026" in inbox.render_canned("{date}", conversation, booking)


# --- presence -------------------------------------------------------------------------------


def test_an_officer_sees_who_else_is_replying(db, citizen, clock) -> None:
    ani, budi = make_officer(db, "ani", password=None), make_officer(db, "budi", password=None)
    citizen.says("PETUGAS")
    assert act(db, inbox.start_replying, ani, clock()) is None
    with db.transaction() as session:
        conversation = conversation_of(session)
        assert inbox.replying_now(conversation, clock(), viewer=budi).username == "ani"
        assert inbox.replying_now(conversation, clock(), viewer=ani) is None
    assert rows(db, budi, "all", clock)[0].replying_officer == "ani"
    assert act(db, inbox.start_replying, budi, clock()).username == "ani"  # warned; the last one wins
    clock.advance(seconds=61)
    with db.transaction() as session:
        assert inbox.replying_now(conversation_of(session), clock(), viewer=ani) is None
    assert rows(db, ani, "all", clock)[0].replying_officer is None
    act(db, inbox.start_replying, budi, clock())
    act(db, inbox.stop_replying, ani)  # not hers: nothing changes
    assert rows(db, ani, "all", clock)[0].replying_officer == "budi"
    act(db, inbox.reply, budi, "Halo", clock(), nonce="p1")  # replying ends it
    assert rows(db, ani, "all", clock)[0].replying_officer is None


# --- the audit trail ------------------------------------------------------------------------


def test_every_action_writes_an_audit_event_with_who_and_when(db, citizen, clock) -> None:
    ani, budi = make_officer(db, "ani", password=None), make_officer(db, "budi", password=None)
    citizen.says("PETUGAS")
    steps = [
        ("take_over", lambda: act(db, inbox.take_over, ani, clock())),
        ("reply", lambda: act(db, inbox.reply, ani, f"Nomor Anda {PHONE}?", clock(), nonce="a1")),
        ("note", lambda: act(db, inbox.add_note, ani, "catatan", clock())),
        ("assign", lambda: act(db, inbox.assign, ani, budi, clock())),
        ("hand_back", lambda: act(db, inbox.hand_back, budi, clock())),
        ("resolve", lambda: act(db, inbox.resolve, budi, clock())),
    ]
    for _, step in steps:
        clock.advance(minutes=1)
        step()
    with db.transaction() as session:
        logged = events(session, {plg(session)}, limit=50)
        assert [e.action for e in logged] == [name for name, _ in reversed(steps)]
        assert [e.officer_id for e in logged] == [budi.id, budi.id, ani.id, ani.id, ani.id, ani.id]
        assert [e.at for e in logged] == sorted((e.at for e in logged), reverse=True)
        conversation_id = conversation_of(session).id
        assert {e.subject for e in logged} == {f"conversation:{conversation_id}"}
        assert all(PHONE not in str(e.details) and PHONE not in e.subject for e in logged)
        assert [e.action for e in events(session, {plg(session)}, limit=50, action="reply")] == ["reply"]
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == len(steps)


def test_masks_hide_the_middle_of_the_phone_and_the_nik() -> None:
    assert mask_phone("+6281234567890") == "+62812****7890"
    assert mask_phone("+628123456789") == "+62812***6789"
    assert mask_phone("081234567890") == "0812****7890"
    assert mask_phone("12345") == "***45"
    assert inbox.mask_nik(NIK) == "************0001"


def test_two_submissions_racing_with_one_nonce_queue_one_reply(db, citizen, clock) -> None:
    """The second submission waits for the first's transaction, then finds its message."""
    import threading

    ani = make_officer(db, "ani", password=None)
    citizen.says("PETUGAS")
    first_done, results = threading.Event(), {}

    def submit(name: str, hold_open: float) -> None:
        with db.transaction() as session:
            message = inbox.reply(session, ani, conversation_of(session), "Halo", clock(), nonce="race")
            results[name] = message.id
            first_done.set()
            threading.Event().wait(hold_open)  # still uncommitted while the other submits

    first = threading.Thread(target=submit, args=("first", 0.3))
    first.start()
    assert first_done.wait(10)
    submit("second", 0)
    first.join()
    assert results["first"] == results["second"]
    with db.transaction() as session:
        assert session.scalar(select(func.count()).where(Message.author == "officer")) == 1
        assert session.scalar(select(func.count()).where(AuditEvent.action == "reply")) == 1
