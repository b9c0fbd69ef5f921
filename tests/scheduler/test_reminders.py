"""Reminders the day before, YA and BATAL in answer, and the release of unconfirmed places.

START is Tuesday 1 December 2026, 09:00 WIB; a booking for Thursday 3 December is reminded
on Wednesday at 09:00 and released on Wednesday at 20:00 unless confirmed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from scheduler.run import run_sweeps as run_all
from scheduler.sweeps import release_unconfirmed, send_reminders
from storage.models import Booking, Message, Office
from tests.builders import book, book_replies, booking, make_booking, nik, outbox, wib
from tests.scheduler.test_sweeps import available, race, state_of

THURSDAY = dt.date(2026, 12, 3)
MONDAY = dt.date(2026, 12, 7)


def test_the_reminder_goes_at_nine_the_day_before_and_once(db, citizen, clock):
    code, replies = book_replies(citizen, "Kamis", "2", service="perpanjang elektronik")
    # Booked before the reminder time: the citizen is told a reminder will ask for a YA.
    assert "Pengingat H-1 09:00: balas YA sebelum 20:00 atau tempat dilepas." in replies[0]
    assert booking(db, code).status == "booked"

    assert send_reminders(db, wib(2, 8, 59)) == 0
    assert outbox(db) == []
    assert send_reminders(db, wib(2, 9, 0)) == 1
    assert send_reminders(db, wib(2, 9, 0)) == 0
    assert send_reminders(db, wib(2, 15, 0)) == 0

    [reminder] = outbox(db)
    assert (reminder.kind, reminder.delivery, reminder.channel) == ("reminder", "pending", "whatsapp")
    assert reminder.body == (
        f"Pengingat {code}: Kamis 3 Des 10:00-12:00, Kantor Imigrasi Kelas I "
        "Palembang, Jl. Parameswara No. 1, Bukit Lama, Palembang. Bawa: e-KTP dan paspor lama "
        "(asli). Balas YA jika datang, BATAL jika tidak. Tanpa YA sampai 20:00, tempat dilepas."
    )
    assert reminder.dedupe_key == f"reminder:{reminder.booking_id}:2026-12-03"
    assert reminder.template["message"] == "reminder" and reminder.template["params"]["code"] == code
    assert booking(db, code).reminded_at == wib(2, 9, 0)


def test_a_monday_appointment_is_reminded_on_sunday(db, citizen):
    code = book(citizen, "Senin")
    assert send_reminders(db, wib(4, 9, 0)) == 0  # Friday
    assert send_reminders(db, wib(6, 8, 59)) == 0  # Sunday, a minute early
    assert send_reminders(db, wib(6, 9, 0)) == 1
    assert booking(db, code).reminded_at == wib(6, 9, 0)
    assert "Senin 7 Des" in outbox(db, "reminder")[0].body


def test_the_reminder_speaks_the_citizens_language(db, citizen):
    citizen.says("EN")
    for text in ("1", "lost ordinary", "John Smith", nik(1), "Thursday", "3"):
        citizen.says(text)
    assert "Day-before reminder at 09:00" in citizen.says("YES")[0]
    send_reminders(db, wib(2, 9, 0))
    [reminder] = outbox(db, "reminder")
    assert reminder.body.startswith("Reminder PLG-")
    assert "Thu 3 Dec 13:00-15:00" in reminder.body
    assert "police loss report" in reminder.body and "Reply YES if you come, BATAL if not" in reminder.body


@pytest.mark.slow
def test_two_processes_send_one_reminder_per_booking(db, clock):
    """Schedulers racing at 09:00: the claim and the dedupe key let each reminder out once."""
    codes = [
        make_booking(db, f"+628120002{n:04d}", n, THURSDAY, start, now=clock())
        for n, start in zip(range(1, 13), ["08:00", "10:00", "13:00"] * 4, strict=False)
    ]
    counts = race(
        db.url,
        "import datetime as dt\nfrom scheduler.sweeps import send_reminders\n"
        f"print(send_reminders(db, dt.datetime.fromisoformat({wib(2, 9).isoformat()!r})))",
    )
    assert sum(int(count) for count in counts) == len(codes)
    reminders = outbox(db, "reminder")
    assert sorted(m.booking_id for m in reminders) == sorted(booking(db, c).id for c in codes)
    assert all(booking(db, c).reminded_at == wib(2, 9) for c in codes)


# --- YA and BATAL --------------------------------------------------------------------------------


def test_ya_after_the_reminder_confirms(db, citizen, clock):
    code = book(citizen, "Kamis")
    clock.set(wib(2, 9, 0))
    send_reminders(db, clock())
    clock.set(wib(2, 9, 40))
    [reply] = citizen.says("YA")
    assert reply == f"Terima kasih, kehadiran terkonfirmasi: {code} Kamis, 3 Desember 2026 08:00-10:00."
    stored = booking(db, code)
    assert (stored.status, stored.confirmed_at) == ("confirmed", wib(2, 9, 40))
    assert "terkonfirmasi" in citizen.says("CEK")[0]
    # Confirmed places are never released.
    assert release_unconfirmed(db, wib(2, 20, 0)) == 0
    assert booking(db, code).status == "confirmed"


def test_batal_after_the_reminder_cancels_and_frees_the_place(db, citizen, clock):
    code = book(citizen, "Kamis")
    assert available(db, THURSDAY, clock(), "08:00") == 49
    clock.set(wib(2, 9, 0))
    send_reminders(db, clock())
    assert citizen.says("BATAL") == [f"Booking {code} dibatalkan. Tempatnya diberikan ke warga lain."]
    assert booking(db, code).status == "cancelled"
    assert available(db, THURSDAY, clock(), "08:00") == 50
    assert release_unconfirmed(db, wib(2, 20, 0)) == 0


def test_ya_and_batal_during_a_handover_still_act(db, citizen, clock):
    code = book(citizen, "Kamis")
    other = citizen.other("+6281298765432")
    other_code = book(other, "Kamis", n=2, name="Ani Lestari")
    citizen.says("PETUGAS")
    other.says("PETUGAS")
    clock.set(wib(2, 9, 0))
    assert send_reminders(db, clock()) == 2
    assert citizen.says("halo, saya mau tanya") == []  # the officer answers that

    assert "terkonfirmasi" in citizen.says("YA")[0]
    assert "dibatalkan" in other.says("BATAL")[0]
    assert (booking(db, code).status, booking(db, other_code).status) == ("confirmed", "cancelled")
    assert state_of(db, citizen.phone).handover and state_of(db, other.phone).handover


def test_an_opted_out_number_is_neither_reminded_nor_released(db, citizen, clock):
    """Its reminder is recorded as skipped; the citizen was never asked, so the place stays."""
    code = book(citizen, "Kamis")
    citizen.says("STOP")
    assert send_reminders(db, wib(2, 9, 0)) == 1
    [reminder] = outbox(db, "reminder")
    assert reminder.delivery == "skipped"
    assert citizen.says("YA") == []
    assert release_unconfirmed(db, wib(2, 20, 0)) == 0
    assert booking(db, code).status == "booked"


# --- release ----------------------------------------------------------------------------------


def test_an_unconfirmed_booking_is_released_at_eight_the_day_before(db, citizen, clock):
    code = book(citizen, "Kamis")
    send_reminders(db, wib(2, 9, 0))
    assert available(db, THURSDAY, wib(2, 20, 0), "08:00") == 49

    assert release_unconfirmed(db, wib(2, 19, 59)) == 0
    assert release_unconfirmed(db, wib(2, 20, 0)) == 1
    assert release_unconfirmed(db, wib(2, 20, 5)) == 0

    assert booking(db, code).status == "released"
    assert available(db, THURSDAY, wib(2, 20, 0), "08:00") == 50
    [notice] = outbox(db, "release")
    assert notice.body == (
        f"Booking {code} (Kamis, 3 Desember 2026 08:00-10:00) dilepas karena "
        "tidak dikonfirmasi sampai pukul 20:00. Balas 1 untuk memesan lagi."
    )
    # Too late: the reminder no longer awaits an answer, and YA books nothing.
    assert "Layanan paspor" in citizen.says("YA")[0]
    assert booking(db, code).status == "released"


def test_office_times_are_the_offices_own(db, citizen):
    with db.transaction() as session:
        session.execute(update(Office).values(reminder_at="07:30", confirm_by="18:00"))
    book(citizen, "Kamis")
    assert send_reminders(db, wib(2, 7, 29)) == 0
    assert send_reminders(db, wib(2, 7, 30)) == 1
    assert "sampai 18:00" in outbox(db, "reminder")[0].body
    assert release_unconfirmed(db, wib(2, 17, 59)) == 0
    assert release_unconfirmed(db, wib(2, 18, 0)) == 1


def test_a_booking_made_after_nine_for_tomorrow_is_confirmed_and_never_released(db, citizen, clock):
    clock.set(wib(2, 9, 30))
    code, replies = book_replies(citizen, "besok")  # Thursday, booked on Wednesday after 09:00
    assert "Booking ini langsung terkonfirmasi." in replies[0]
    stored = booking(db, code)
    assert (stored.status, stored.confirmed_at) == ("confirmed", wib(2, 9, 30))
    assert send_reminders(db, wib(2, 9, 31)) == 0
    assert release_unconfirmed(db, wib(2, 20, 0)) == 0
    assert booking(db, code).status == "confirmed" and outbox(db) == []


def test_a_booking_for_today_is_confirmed_at_once(db, citizen, clock):
    code = book(citizen, "hari ini", "3")  # Tuesday 13:00, booked at 09:00
    assert booking(db, code).status == "confirmed"
    assert send_reminders(db, wib(1, 10, 0)) == 0


def test_a_moved_booking_is_reminded_of_its_new_date(db, citizen, clock):
    code = book(citizen, "Kamis")
    send_reminders(db, wib(2, 9, 0))
    clock.set(wib(2, 9, 10))
    citizen.says("UBAH")
    citizen.says("Jumat")
    citizen.says("1")
    assert "dipindah ke Jumat, 4 Desember 2026" in citizen.says("YA")[0]
    stored = booking(db, code)
    assert (stored.date, stored.status, stored.reminded_at) == (dt.date(2026, 12, 4), "booked", None)
    assert release_unconfirmed(db, wib(2, 20, 0)) == 0  # Thursday's deadline is not Friday's
    assert send_reminders(db, wib(3, 9, 0)) == 1
    assert [m.dedupe_key for m in outbox(db, "reminder")] == [
        f"reminder:{stored.id}:2026-12-03",
        f"reminder:{stored.id}:2026-12-04",
    ]


def test_several_reminded_bookings_are_confirmed_by_one_ya(db, citizen, clock):
    """A parent booked for two children on the same day: one YA answers both reminders."""
    first = book(citizen, "Kamis", n=1, name="Anak Pertama")
    second = book(citizen, "Kamis", "2", n=2, name="Anak Kedua")
    assert send_reminders(db, wib(2, 9, 0)) == 2
    clock.set(wib(2, 12, 0))
    reply = citizen.says("ya")[0]
    assert first in reply and second in reply
    assert {booking(db, first).status, booking(db, second).status} == {"confirmed"}


# --- after a stop -------------------------------------------------------------------------------


def test_catch_up_after_a_long_stop(db, citizen, clock):
    """Scheduler down from Tuesday 09:00 to Thursday 07:00, then once more at 21:00.

    Wednesday's booking has passed: nothing. Thursday's session has not started: reminded
    late, and since the day has come it is not released. Friday's is reminded at 21:00,
    after half its window: the citizen had no fair chance, so it is not released either.
    """
    wednesday = book(citizen, "Rabu", n=1)
    thursday = book(citizen, "Kamis", n=2)
    friday = book(citizen, "Jumat", n=3)
    assert all(booking(db, c).status == "booked" for c in (wednesday, thursday, friday))

    done = run_all(db, wib(3, 7, 0))
    assert done["send_reminders"] == 1 and done["release_unconfirmed"] == 0
    assert [m.booking_id for m in outbox(db, "reminder")] == [booking(db, thursday).id]
    assert "dilepas" not in outbox(db, "reminder")[0].body  # no deadline it would not keep

    done = run_all(db, wib(3, 21, 0))
    assert done["send_reminders"] == 1 and done["release_unconfirmed"] == 0
    assert booking(db, friday).reminded_at == wib(3, 21, 0)
    assert release_unconfirmed(db, wib(4, 7, 0)) == 0
    assert {booking(db, c).status for c in (wednesday, thursday, friday)} == {"booked"}


def test_a_missed_release_happens_later_the_same_evening(db, citizen):
    code = book(citizen, "Kamis")
    send_reminders(db, wib(2, 9, 0))
    assert release_unconfirmed(db, wib(2, 23, 30)) == 1  # down from 19:00 to 23:30
    assert booking(db, code).status == "released"


def test_a_reminder_that_could_not_be_delivered_releases_nothing(db, citizen):
    code = book(citizen, "Kamis")
    send_reminders(db, wib(2, 9, 0))
    with db.transaction() as session:
        session.execute(update(Message).where(Message.kind == "reminder").values(delivery="failed"))
    assert release_unconfirmed(db, wib(2, 20, 0)) == 0
    assert booking(db, code).status == "booked"


def test_a_released_citizen_may_book_again_and_is_then_confirmed(db, citizen, clock):
    """Release frees the NIK too; booked again that evening for tomorrow, it needs no reminder."""
    code = book(citizen, "Kamis")
    send_reminders(db, wib(2, 9, 0))
    release_unconfirmed(db, wib(2, 20, 0))
    clock.set(wib(2, 20, 30))
    again, replies = book_replies(citizen, "Kamis", n=1)
    assert "langsung terkonfirmasi" in replies[0]
    with db.transaction() as session:
        statuses = dict(session.execute(select(Booking.code, Booking.status)).all())
    assert statuses == {code: "released", again: "confirmed"}
