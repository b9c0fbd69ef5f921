"""The machine's side of the scheduler: answers to reminders, the waiting list, offers.

Table-driven like test_machine: (state, message, facts) -> step, effects, replies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from conversations.effects import CancelBooking, ConfirmBooking, JoinWaitlist
from conversations.facts import Facts
from conversations.state import Draft, State
from tests.conversations.test_machine import (
    AT_CONFIRM,
    AT_DATE,
    AT_NAME,
    AT_SESSION,
    CODE,
    CODE2,
    MONDAY,
    MOVING,
    NIK,
    NIK2,
    THURSDAY,
    TODAY,
    WEDNESDAY,
    World,
    at,
    kinds,
    make_booking,
    make_facts,
    make_hold,
    run,
)

REMINDED = make_booking()  # Thursday 10:00-12:00, reminded and not yet confirmed
REMINDED2 = make_booking(CODE2, THURSDAY, 1, nik=NIK2, name="Sari")


def facts(*awaiting, bookings=None, confirmed_through: dt.date | None = None, **kwargs) -> Facts:
    """Return facts in which the given bookings await a YA to their reminder."""
    made = make_facts(bookings=list(bookings if bookings is not None else awaiting), **kwargs)
    return replace(made, awaiting_confirmation=tuple(awaiting), confirmed_through=confirmed_through)


def check(outcome, step_name: str, effects: list[str], says=(), not_says=()) -> None:
    replies = "\n".join(outcome.replies)
    assert outcome.state.step == step_name, replies
    assert kinds(outcome.effects) == effects, replies
    for expected in says:
        assert expected in replies
    for unexpected in not_says:
        assert unexpected not in replies
    assert State.from_json(outcome.state.to_json()) == outcome.state


# --- answers to a reminder -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["YA", "ya", "Ya, benar", "ok", "iya", "\U0001f44d"])
def test_ya_at_the_menu_confirms_the_reminded_booking(text):
    outcome = run(at("menu"), text, facts(REMINDED))
    check(
        outcome,
        "menu",
        ["ConfirmBooking"],
        ["Terima kasih, kehadiran terkonfirmasi: PLG-7K3QXM Kamis, 3 Desember 2026 10:00-12:00."],
    )
    assert outcome.effects == (ConfirmBooking(CODE),)


def test_yes_in_english():
    outcome = run(at("menu", lang="en"), "yes", facts(REMINDED))
    check(outcome, "menu", ["ConfirmBooking"], ["Thank you, confirmed: PLG-7K3QXM Thursday, 3 December 2026"])


def test_one_ya_confirms_every_reminded_booking():
    """A parent reminded of three children's bookings answers YA once: all of them are confirmed."""
    outcome = run(at("menu"), "YA", facts(REMINDED, REMINDED2))
    assert outcome.effects == (ConfirmBooking(CODE), ConfirmBooking(CODE2))
    assert "PLG-7K3QXM" in outcome.replies[0] and "PLG-9ZZT4B" in outcome.replies[0]


def test_a_booking_not_reminded_is_not_confirmed_by_ya():
    outcome = run(at("menu"), "YA", facts(REMINDED, bookings=[REMINDED, make_booking(CODE2, MONDAY)]))
    assert outcome.effects == (ConfirmBooking(CODE),)


def test_ya_without_a_reminder_shows_the_menu():
    check(run(at("menu"), "YA", facts(bookings=[REMINDED])), "menu", [], ["1 PESAN"])


def test_batal_at_the_menu_cancels_the_reminded_booking_at_once():
    """The reminder named the booking and said BATAL cancels it: no second question."""
    outcome = run(at("menu"), "BATAL", facts(REMINDED))
    check(outcome, "menu", ["CancelBooking"], ["Booking PLG-7K3QXM dibatalkan"])
    assert outcome.effects == (CancelBooking(CODE),)


def test_cancel_in_english_cancels_the_reminded_booking():
    outcome = run(at("menu", lang="en"), "cancel", facts(REMINDED))
    check(outcome, "menu", ["CancelBooking"], ["Booking PLG-7K3QXM is cancelled"])


def test_batal_with_other_bookings_cancels_only_the_reminded_one():
    later = make_booking(CODE2, MONDAY, 1, nik=NIK2)
    outcome = run(at("menu"), "BATAL", facts(REMINDED, bookings=[REMINDED, later]))
    assert outcome.effects == (CancelBooking(CODE),)


def test_batal_with_several_reminded_asks_which():
    check(run(at("menu"), "BATAL", facts(REMINDED, REMINDED2)), "cancel_pick", [], ["Batalkan yang mana?"])


def test_batal_with_a_code_asks_to_confirm_as_always():
    outcome = run(at("menu"), "BATAL PLG-7K3QXM", facts(REMINDED))
    check(outcome, "cancel_confirm", [], ["Batalkan PLG-7K3QXM"])


@pytest.mark.parametrize(
    "text",
    [
        "ya",
        "iya",
        "y",
        "ok",
        "oke",
        "siap",
        "ok siap",
        "baik",
        "hadir",
        "datang",
        "ya saya datang",
        "ya, saya akan datang",
        "insyaallah datang",
        "Insya Allah hadir",
        "\U0001f44d",
        "Siap kak!",
    ],
)
def test_plain_words_of_coming_confirm_the_reminded_booking(text):
    outcome = run(at("menu"), text, facts(REMINDED))
    check(outcome, "menu", ["ConfirmBooking"], ["kehadiran terkonfirmasi: PLG-7K3QXM"])


@pytest.mark.parametrize("text", ["yes", "sure", "I will come", "yes I will come", "ok I will be there"])
def test_plain_english_words_of_coming_confirm_the_reminded_booking(text):
    outcome = run(at("menu", lang="en"), text, facts(REMINDED))
    check(outcome, "menu", ["ConfirmBooking"], ["Thank you, confirmed: PLG-7K3QXM"])


@pytest.mark.parametrize(
    "text", ["TIDAK", "tidak", "gak jadi", "tidak bisa datang", "saya tidak bisa hadir", "ga jadi kak", "nggak bisa"]
)
def test_a_plain_no_to_a_reminder_asks_once_before_it_cancels(text):
    """A no in plain words cancels after the usual question: it cannot be undone."""
    asked = run(at("menu"), text, facts(REMINDED))
    check(
        asked, "cancel_confirm", [], ["Batalkan PLG-7K3QXM (Kamis, 3 Desember 2026 10:00-12:00)? Balas YA atau TIDAK."]
    )
    cancelled = run(asked.state, "YA", facts(REMINDED))
    check(cancelled, "menu", ["CancelBooking"], ["Booking PLG-7K3QXM dibatalkan"])
    kept = run(asked.state, "TIDAK", facts(REMINDED))
    check(kept, "menu", [], ["Baik, booking PLG-7K3QXM tetap berlaku."])


def test_a_plain_no_with_several_reminded_asks_which():
    check(run(at("menu"), "tidak bisa datang", facts(REMINDED, REMINDED2)), "cancel_pick", [], ["Batalkan yang mana"])


@pytest.mark.parametrize("text", ["mungkin", "ya, tapi besok", "saya usahakan", "halo", "?? kapan"])
def test_an_unclear_answer_to_a_reminder_gets_the_hint_again_not_the_menu(text):
    outcome = run(at("menu"), text, facts(REMINDED))
    check(
        outcome,
        "menu",
        [],
        ["Balas YA untuk konfirmasi PLG-7K3QXM Kamis, 3 Desember 2026", "BATAL"],
        not_says=["1 PESAN"],
    )


@pytest.mark.parametrize(
    ("state", "prompt"),
    [
        (at("name", AT_NAME), "Nama lengkap"),
        (at("date", AT_DATE), "Tanggal berapa?"),
        (at("session", AT_SESSION), "Pilih sesi"),
        (at("service"), "Kirim dalam 1 pesan"),
        (at("cancel_pick"), "Batalkan yang mana"),
    ],
)
def test_ya_in_the_middle_of_something_else_confirms_and_asks_again(state, prompt):
    """Where YA answers nothing, it answers the reminder; the step's question comes again."""
    outcome = run(state, "YA", facts(REMINDED))
    check(outcome, state.step, ["ConfirmBooking"], ["kehadiran terkonfirmasi", prompt])
    assert outcome.state.draft == state.draft


def test_ya_at_a_summary_books_the_summary_and_says_the_reminder_still_waits():
    outcome = run(at("confirm", AT_CONFIRM), "YA", facts(REMINDED, hold=make_hold()))
    check(
        outcome,
        "menu",
        ["ConfirmHold"],
        ["Booking berhasil", "Booking PLG-7K3QXM Kamis, 3 Desember 2026 10:00-12:00 belum dikonfirmasi"],
    )


def test_moving_the_reminded_booking_does_not_ask_to_confirm_its_old_date():
    outcome = run(
        at("confirm", replace(MOVING, date=WEDNESDAY, session_id=1)),
        "YA",
        facts(REMINDED, hold=make_hold("PLG-HHHHHH", WEDNESDAY, 1)),
    )
    check(outcome, "menu", ["ConfirmHold"], ["dipindah ke Rabu"], not_says=["belum dikonfirmasi"])


def test_ya_to_cancelling_the_reminded_booking_cancels_it_without_more():
    outcome = run(at("cancel_confirm", Draft(cancelling=CODE)), "YA", facts(REMINDED))
    check(outcome, "menu", ["CancelBooking"], ["dibatalkan"], not_says=["belum dikonfirmasi"])


def test_batal_in_a_booking_in_progress_stops_it_and_cancels_nothing():
    check(run(at("session", AT_SESSION), "BATAL", facts(REMINDED)), "menu", [], ["Pemesanan dibatalkan"])


def test_ya_refused_by_storage_says_so_and_asks_nothing_again():
    outcome = run(at("menu"), "YA", facts(REMINDED, refusal="unknown_booking"))
    check(outcome, "menu", [], ["Kode itu tidak ada"])


# --- during a handover, and opted out -----------------------------------------------------------

HANDED_OVER = at("menu", handover=True)


@pytest.mark.parametrize(
    ("text", "effects"),
    [
        ("YA", [ConfirmBooking(CODE)]),
        ("ok", [ConfirmBooking(CODE)]),
        ("BATAL", [CancelBooking(CODE)]),
        ("BATAL PLG-7K3QXM", [CancelBooking(CODE)]),
    ],
)
def test_a_reminder_answer_still_acts_during_a_handover(text, effects):
    outcome = run(HANDED_OVER, text, facts(REMINDED))
    assert list(outcome.effects) == effects
    assert len(outcome.replies) == 1  # a short confirmation; the officer sees it in the thread
    assert outcome.state == HANDED_OVER


@pytest.mark.parametrize(
    ("text", "awaiting"),
    [
        ("halo", (REMINDED,)),
        ("1", (REMINDED,)),
        ("MENU", (REMINDED,)),
        ("TIDAK", (REMINDED,)),
        ("YA", ()),
        ("BATAL", ()),
        ("BATAL", (REMINDED, REMINDED2)),  # which one? the officer answers that
        ("BATAL PLG-AAAAAA", (REMINDED,)),
    ],
)
def test_otherwise_the_bot_stays_silent_during_a_handover(text, awaiting):
    """An officer has the conversation: only a clear answer to a reminder acts."""
    taken = replace(facts(*awaiting, bookings=[REMINDED, REMINDED2]), officer_assigned=True)
    outcome = run(HANDED_OVER, text, taken)
    assert outcome.replies == () and outcome.effects == () and outcome.state == HANDED_OVER


def test_several_reminded_bookings_one_named_during_a_handover():
    outcome = run(HANDED_OVER, "BATAL PLG-9ZZT4B", facts(REMINDED, REMINDED2))
    assert outcome.effects == (CancelBooking(CODE2),)


@pytest.mark.parametrize("text", ["YA", "BATAL"])
def test_an_opted_out_number_answers_nothing(text):
    state = at("menu", opted_out=True)
    outcome = run(state, text, facts(REMINDED))
    assert outcome.replies == () and outcome.effects == () and outcome.state == state


# --- what the booked reply says about confirming ----------------------------------------------


def test_a_booking_past_its_reminder_time_is_said_to_be_confirmed():
    outcome = run(at("confirm", AT_CONFIRM), "YA", facts(hold=make_hold(), confirmed_through=THURSDAY))
    check(outcome, "menu", ["ConfirmHold"], ["Booking ini langsung terkonfirmasi."], not_says=["Pengingat"])


def test_a_later_booking_is_told_of_the_reminder_and_the_deadline():
    outcome = run(at("confirm", AT_CONFIRM, lang="en"), "yes", facts(hold=make_hold(), confirmed_through=WEDNESDAY))
    check(outcome, "menu", ["ConfirmHold"], ["Day-before reminder at 09:00: reply YES by 20:00 or lose the place."])


def test_without_reminders_the_booked_reply_says_neither():
    outcome = run(at("confirm", AT_CONFIRM), "YA", facts(hold=make_hold()))
    check(outcome, "menu", ["ConfirmHold"], not_says=["Pengingat", "terkonfirmasi"])


# --- the waiting list -------------------------------------------------------------------------------


def test_a_full_day_invites_to_its_waiting_list():
    outcome = run(at("date", AT_DATE), "Kamis", make_facts(full=[THURSDAY]))
    check(
        outcome,
        "date",
        [],
        [
            "Kamis, 3 Desember 2026 sudah penuh",
            "Tanggal terdekat",
            "Atau balas TUNGGU untuk masuk daftar tunggu Kamis, 3 Desember 2026",
        ],
    )
    assert outcome.state.draft.waiting_for == THURSDAY
    assert outcome.replies[-1].startswith("Atau balas TUNGGU")


def test_the_invitation_in_english():
    outcome = run(at("date", AT_DATE, lang="en"), "Thursday", make_facts(full=[THURSDAY]))
    assert "Or reply WAIT to join the waiting list for Thursday, 3 December 2026" in outcome.replies[-1]


@pytest.mark.parametrize(
    ("state", "text", "full"),
    [
        (at("date", AT_DATE), "hari ini", [TODAY]),  # too late to wait for today
        (at("date", MOVING), "Kamis", [THURSDAY]),  # a move keeps its booking meanwhile
        (at("date", AT_DATE), "Sabtu", []),  # closed, not full
    ],
)
def test_no_invitation(state, text, full):
    outcome = run(state, text, make_facts(full=full, bookings=[make_booking()]))
    assert "TUNGGU" not in "\n".join(outcome.replies)
    assert outcome.state.draft.waiting_for is None


WAITING = at("date", replace(AT_DATE, waiting_for=THURSDAY))


@pytest.mark.parametrize("text", ["TUNGGU", "tunggu", "daftar tunggu", "WAIT", "waitlist"])
def test_tunggu_joins_the_waiting_list(text):
    outcome = run(WAITING, text, make_facts(full=[THURSDAY]))
    check(outcome, "menu", ["JoinWaitlist"])
    assert outcome.effects == (JoinWaitlist(THURSDAY, "new", "electronic", "Budi Santoso", NIK),)
    assert outcome.state.draft == Draft()


def test_joining_says_how_an_offer_comes():
    outcome = run(WAITING, "TUNGGU", make_facts(full=[THURSDAY]))
    assert outcome.replies == (
        "Anda di daftar tunggu Kamis, 3 Desember 2026. Jika ada tempat kosong "
        "kami kirim pesan; balas YA dalam 30 menit untuk mengambilnya.",
    )


def test_joining_twice_is_refused_kindly():
    outcome = run(WAITING, "TUNGGU", make_facts(full=[THURSDAY], refusal="waitlist_duplicate"))
    check(outcome, "menu", [], ["Nomor ini sudah ada di daftar tunggu Kamis, 3 Desember 2026."])


def test_joining_with_a_booked_nik_is_refused():
    outcome = run(WAITING, "TUNGGU", make_facts(full=[THURSDAY], refusal="nik_taken"))
    check(outcome, "menu", [], ["NIK ini sudah punya booking aktif"])


def test_joining_a_day_that_closed_meanwhile_asks_for_a_date():
    outcome = run(WAITING, "TUNGGU", make_facts(refusal="closed"))
    check(outcome, "date", [], ["Tanggal berapa?"])
    assert outcome.state.draft.waiting_for is None


@pytest.mark.parametrize("state", [at("menu"), at("date", AT_DATE), at("name", AT_NAME)])
def test_tunggu_without_a_full_day_is_not_understood(state):
    outcome = run(state, "TUNGGU", make_facts())
    check(outcome, state.step, [], ["belum mengerti"])


def test_choosing_another_date_forgets_the_full_one():
    outcome = run(WAITING, "Jumat", make_facts(full=[THURSDAY]))
    assert outcome.state.step == "session" and outcome.state.draft.waiting_for is None


OFFERED = at("confirm", replace(AT_CONFIRM, offer=True))


def test_ya_to_an_offer_books_it_through_the_usual_confirmation():
    outcome = run(OFFERED, "YA", make_facts(hold=make_hold()))
    check(outcome, "menu", ["ConfirmHold"], ["Booking berhasil. Kode: PLG-7K3QXM"])


@pytest.mark.parametrize("text", ["TIDAK", "no", "BATAL"])
def test_declining_an_offer_gives_the_place_to_the_next(text):
    outcome = run(OFFERED, text, make_facts(hold=make_hold()))
    check(outcome, "menu", ["ReleaseHold"], ["diberikan ke warga berikutnya"] if text != "no" else [])


def test_the_draft_survives_storage_with_its_new_fields():
    state = State(step="confirm", draft=replace(AT_CONFIRM, waiting_for=THURSDAY, offer=True))
    assert State.from_json(state.to_json()) == state
    assert state.to_json()["draft"]["waiting_for"] == "2026-12-03"
    assert State.from_json({"step": "menu", "draft": {"waiting_for": "bogus"}}) == State()


# --- a whole conversation ------------------------------------------------------------------------


def test_walkthrough_full_day_then_waiting_list():
    world = World()
    world.fill(THURSDAY)
    for text in ("1", "baru elektronik", "Budi Santoso", NIK):
        world.say(text)
    assert "TUNGGU" in world.say("Kamis")
    assert "daftar tunggu Kamis" in world.say("TUNGGU")
    assert world.waitlist[THURSDAY].nik == NIK
    assert world.state.step == "menu"


def test_walkthrough_reminder_then_ya():
    world = World()
    for text in ("1", "baru elektronik", "Budi Santoso", NIK, "besok", "2"):
        world.say(text)
    assert "Booking berhasil" in world.say("YA")
    world.remind()
    assert "kehadiran terkonfirmasi" in world.say("ya")
    assert [b.status for b in world.active()] == ["confirmed"]
    assert "terkonfirmasi" in world.say("CEK")
    assert world.say("YA").startswith("Layanan paspor")  # nothing awaits any more: the menu


def test_walkthrough_reminder_during_handover_then_batal():
    world = World()
    for text in ("1", "baru elektronik", "Budi Santoso", NIK, "besok", "2", "YA", "PETUGAS"):
        world.say(text)
    world.remind()
    assert world.say("halo") == ""
    assert "dibatalkan" in world.say("BATAL")
    assert world.active() == [] and world.state.handover


def test_wait_after_the_full_day_has_come_joins_no_list():
    """Found by Hypothesis: TUNGGU for a full day, sent once that day had come, joined its list."""
    world = World(capacity=1)
    world.fill(WEDNESDAY)
    world.send(f"pesan baru biasa, Budi Santoso, {NIK}, besok")
    assert world.state.draft.waiting_for == WEDNESDAY
    world.now += dt.timedelta(days=1)
    replies = world.send("TUNGGU")
    assert not world.waitlist and world.state.step == "date" and world.state.draft.waiting_for is None
    assert replies[0].startswith("Rabu, 2 Desember 2026 sudah penuh")
