"""Children and families: a child's NIK changes the wording and the documents; TAMBAH books
one more family member without repeating what the number already gave."""

from __future__ import annotations

import datetime as dt

import pytest

from conversations.nik import birth_date, is_minor
from tests.conversations.test_machine import NIK, NIK2, WEDNESDAY, World

CHILD_NIK = "1671015001150001"  # Palembang, a girl born 10 January 2015
CHILD_NIK2 = "1671011203180002"  # Palembang, a boy born 12 March 2018


@pytest.mark.parametrize(
    ("nik", "day", "born", "minor"),
    [
        (CHILD_NIK, dt.date(2026, 12, 1), dt.date(2015, 1, 10), True),
        (NIK, dt.date(2026, 12, 1), dt.date(1990, 1, 5), False),
        ("1671010512090001", dt.date(2026, 12, 4), dt.date(2009, 12, 5), True),  # 17 tomorrow
        ("1671010412090001", dt.date(2026, 12, 4), dt.date(2009, 12, 4), False),  # 17 today
        ("1671014412090001", dt.date(2026, 12, 4), dt.date(2009, 12, 4), False),  # a woman: day + 40
        ("1671016502300001", dt.date(2026, 12, 4), dt.date(1930, 2, 25), False),  # not 2030: not born yet
        ("1671010101260001", dt.date(2026, 12, 4), dt.date(2026, 1, 1), True),  # a baby
        ("1671013102260001", dt.date(2026, 12, 4), None, False),  # 31 February: no date
    ],
)
def test_a_nik_gives_a_birth_date_and_whether_a_child(nik, day, born, minor):
    assert birth_date(nik, day) == born
    assert is_minor(nik, day) is minor


def test_a_childs_nik_switches_the_wording_the_summary_and_the_documents():
    world = World()
    world.send("1")
    replies = world.send(f"baru biasa, Ani Lestari, {CHILD_NIK}, besok")
    assert "NIK ini milik anak (lahir 2015): nama sesuai akta lahir/KK" in replies[0]
    assert world.state.step == "confirm" and world.state.draft.child
    assert "3 Ani Lestari (anak) 4 NIK ****0001" in replies[1]
    booked = world.send("YA")[0]
    assert "Bawa: KTP ayah & ibu, KK, akta lahir anak, surat pernyataan ortu (asli); anak ikut datang." in booked
    assert "e-KTP" not in booked


def test_a_childs_renewal_asks_for_the_old_passport_too_in_english():
    world = World()
    world.send("book")
    world.send(f"renewal ordinary, Ani Lestari, {CHILD_NIK}, tomorrow")
    booked = world.send("yes")[0]
    assert "Bring: both parents' KTP, KK, the child's birth certificate and old passport" in booked


@pytest.mark.parametrize(
    "text",
    ["untuk anak saya", "mau buat paspor untuk anak saya", "pesan paspor anak", "for my son", "daftar anak saya"],
)
def test_a_booking_for_a_child_starts_at_the_menu(text):
    world = World()
    replies = world.send(text)
    assert world.state.step == "service" and world.state.draft.child, replies
    assert replies[-1].startswith(("Untuk anak, kirim:", "For a child, send:"))


def test_one_at_a_time_a_child_is_asked_for_the_name_on_the_birth_certificate():
    world = World()
    world.send("untuk anak saya")
    world.send("baru")
    assert world.send("biasa") == ["Nama lengkap anak sesuai akta lahir/KK?"]
    assert world.send("Ani Lestari") == ["NIK anak (16 angka, ada di KK)?"]


def test_a_child_said_but_an_adults_nik_books_an_adult():
    world = World()
    world.send("untuk anak saya")
    world.send(f"baru biasa, Budi Santoso, {NIK}, besok")
    assert not world.state.draft.child
    assert "Bawa: e-KTP, KK" in world.send("YA")[0]


def _booked(world: World, text: str = f"pesan baru biasa, Budi Santoso, {NIK}, besok sesi 2") -> str:
    """Book, and return the replies to YA (the confirmation, then the offer of TAMBAH)."""
    world.send(text)
    return "\n".join(world.send("YA"))


def test_the_confirmation_offers_tambah_for_another_family_member():
    world = World()
    world.send(f"pesan baru biasa, Budi Santoso, {NIK}, besok sesi 2")
    booked, offer = world.send("YA")  # the offer on its own: the confirmation stays 2 SMS
    assert booked.startswith("Booking berhasil") and offer == "Untuk anggota keluarga lain, balas TAMBAH."


def test_tambah_books_a_family_member_with_the_same_service_and_session():
    world = World()
    _booked(world)
    (first,) = world.bookings.values()
    replies = world.send("TAMBAH")
    assert replies == [
        f"Untuk anggota keluarga: kirim nama dan NIK-nya. Layanan dan jadwal sama dengan {first.code}, "
        "bisa diubah sebelum YA."
    ]
    replies = world.send(f"Ani Lestari {CHILD_NIK}")
    assert world.state.step == "confirm", replies
    assert "1 Paspor baru 2 biasa 3 Ani Lestari (anak) 4 NIK ****0001 5 Rabu 2 Des 6 10:00-12:00" in replies[-1]
    assert world.send("ya")[0].startswith("Booking berhasil")
    second = [b for b in world.bookings.values() if b.code != first.code][0]
    assert (second.day, second.session_id, second.service) == (WEDNESDAY, first.session_id, first.service)
    assert second.nik == CHILD_NIK and second.name == "Ani Lestari"


def test_tambah_with_the_name_and_nik_in_the_same_message_goes_to_the_summary():
    world = World()
    _booked(world)
    replies = world.send(f"tambah Siti Aminah, {NIK2}")
    assert world.state.step == "confirm" and "3 Siti Aminah 4 NIK ****0002" in replies[-1], replies
    world.send("YA")
    world.send(f"tambah, Rudi Hartono, {CHILD_NIK2}")  # a family of three, one after another
    world.send("YA")
    assert len(world.bookings) == 3
    assert len({(b.day, b.session_id) for b in world.bookings.values()}) == 1


def test_tambah_one_thing_at_a_time():
    world = World()
    _booked(world, "pesan baru biasa, Budi Santoso, 1671014501900001, besok sesi 2")
    world.send("ADD")
    assert world.send("Siti Aminah") == ["NIK (16 angka di KTP)?"]
    replies = world.send(NIK2)
    assert world.state.step == "confirm" and "5 Rabu 2 Des 6 10:00-12:00" in replies[-1]


def test_tambah_with_the_same_nik_is_refused():
    world = World()
    _booked(world)
    replies = world.send(f"tambah Budi Santoso {NIK}")
    assert world.state.step == "menu" and any("sudah punya booking" in r for r in replies), replies


def test_tambah_when_the_session_filled_asks_for_another():
    world = World(capacity=1)
    _booked(world)
    replies = world.send(f"tambah Siti Aminah, {NIK2}")
    assert world.state.step == "session" and "Sesi 2 sudah penuh." in replies, replies


def test_tambah_without_an_earlier_booking_starts_a_booking():
    world = World()
    replies = world.send("tambah")
    assert world.state.step == "service" and replies[-1].startswith("Kirim dalam 1 pesan")


def test_no_tambah_is_offered_when_the_number_reaches_its_limit():
    world = World(max_bookings=1)
    assert "TAMBAH" not in _booked(world)
    assert "batas 1" in world.send("tambah")[0]
