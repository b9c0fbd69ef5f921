"""Through the webhook: questions answered from the office file, a handover that never traps,
and a citizen the bot cannot help put in the officers' waiting view."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.models import Booking, Conversation
from tests.conftest import WIB


def conversation(db) -> Conversation:
    with db.transaction() as session:
        found = session.scalar(select(Conversation))
        session.expunge(found)
        return found


def test_a_question_is_answered_from_the_office_file_and_the_booking_goes_on(citizen):
    citizen.says("halo")
    citizen.says("1")
    replies = citizen.says("berapa biayanya?")
    assert "Rp350.000" in replies[0] and "Rp950.000" in replies[0]
    assert len(replies) == 2  # then the pending question again


def test_petugas_at_night_says_when_officers_are_back_and_menu_returns_to_the_bot(citizen, clock, db):
    clock.set(dt.datetime(2026, 12, 1, 21, 0, tzinfo=WIB))  # Tuesday evening
    (reply,) = citizen.says("PETUGAS")
    assert reply.startswith("Petugas kami kembali Rabu, 2 Desember 2026 08:00")
    assert "Balas MENU untuk kembali" in reply
    assert conversation(db).handover and conversation(db).waiting_since is not None
    assert citizen.says("halo") == []  # waiting: the officers read it in the morning
    replies = citizen.says("MENU")
    assert replies[0] == "Baik, Anda kembali ke layanan otomatis." and "1 PESAN" in replies[1]
    back = conversation(db)
    assert not back.handover and back.waiting_since is None


def test_petugas_on_friday_evening_says_monday(citizen, clock):
    clock.set(dt.datetime(2026, 12, 4, 17, 0, tzinfo=WIB))
    (reply,) = citizen.says("PETUGAS")
    assert reply.startswith("Petugas kami kembali Senin, 7 Desember 2026 08:00")


def test_petugas_in_office_hours_says_an_officer_replies_here(citizen):
    (reply,) = citizen.says("PETUGAS")  # Tuesday 09:00
    assert reply == "Baik, petugas kami akan membalas di sini. Balas MENU untuk kembali ke layanan otomatis."


def test_three_messages_not_understood_put_the_citizen_in_the_waiting_view(citizen, db):
    citizen.says("halo")
    citizen.says("asdf")
    citizen.says("qwerty")
    assert conversation(db).waiting_since is None
    replies = citizen.says("zzz")
    assert "Petugas kami akan membaca pesan ini" in replies[-1]
    found = conversation(db)
    assert found.waiting_since is not None and not found.handover  # the bot still answers
    assert citizen.says("1")  # and it does


def test_a_first_timer_books_in_four_messages_through_the_webhook(citizen, db):
    sent = ["halo", "1", "baru biasa, Budi Santoso, 1671014501900001, besok", "ya"]
    replies = [citizen.says(text) for text in sent]
    assert replies[-1][0].startswith("Booking berhasil. Kode: PLG-")
    summary = "1 Paspor baru 2 biasa 3 Budi Santoso 4 NIK ****0001 5 Rabu 2 Des"
    assert replies[2][0].startswith(summary)


def test_an_english_first_timer_books_in_four_messages(citizen):
    sent = ["hello", "book", "new electronic, John Smith, 1671014501900001, tomorrow session 2", "yes"]
    replies = [citizen.says(text) for text in sent]
    assert replies[-1][0].startswith("Booked. Code: PLG-")


def test_everything_in_one_message_books_in_two_through_the_webhook(citizen, db):
    replies = citizen.says("pesan paspor baru biasa, Budi Santoso, 1671014501900001, besok sesi 1")
    assert replies[0].startswith("1 Paspor") and "08:00-10:00" in replies[0]
    assert citizen.says("siap")[0].startswith("Booking berhasil")


def test_a_correction_at_the_summary_through_the_webhook(citizen):
    citizen.says("pesan paspor baru biasa, Budi Santoso, 1671014501900001, besok sesi 1")
    replies = citizen.says("salah nama, Budi Santosa")
    assert "Budi Santosa" in replies[0]
    assert citizen.says("ya")[0].startswith("Booking berhasil")


def test_a_parent_books_for_a_child_with_tambah_through_the_webhook(citizen, db):
    citizen.says("pesan paspor baru biasa, Budi Santoso, 1671014501900001, besok sesi 1")
    booked = citizen.says("ya")
    assert booked[-1] == "Untuk anggota keluarga lain, balas TAMBAH."
    replies = citizen.says("tambah Ani Lestari 1671015001150001")  # a girl born in 2015
    assert "NIK ini milik anak (lahir 2015)" in replies[0]
    assert "3 Ani Lestari (anak)" in replies[1] and "6 08:00-10:00" in replies[1]
    assert "Bawa: KTP ayah & ibu, KK, akta lahir anak" in citizen.says("ya")[0]
    with db.transaction() as session:
        bookings = session.scalars(select(Booking).order_by(Booking.id)).all()
        assert [b.name for b in bookings] == ["Budi Santoso", "Ani Lestari"]
        assert len({(b.date, b.session_id, b.service, b.passport_type) for b in bookings}) == 1
