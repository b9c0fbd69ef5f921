"""The waiting list of a full day: joining it by chat, offers in turn, lapses, and booking.

Thursday 3 December has one place (08:00, capacity 1) so that a day fills with one booking.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scheduler.sweeps import expire_holds, expire_offers, offer_waitlist, release_unconfirmed, send_reminders
from storage.models import Booking, WaitlistEntry
from tests.builders import book, booking, nik, outbox, wib
from tests.scheduler.test_sweeps import available, set_capacity, state_of

THURSDAY = dt.date(2026, 12, 3)
B_PHONE, C_PHONE, D_PHONE = "+6281298765432", "+6281311112222", "+6281355556666"


@pytest.fixture
def one_place(db):
    set_capacity(db, {"08:00": 1, "10:00": 0, "13:00": 0})


def join(citizen, n: int, name: str, day: str = "Kamis") -> list[str]:
    """Ask for the full day and join its waiting list; return the replies to TUNGGU."""
    for text in ("MENU", "1", "baru biasa", name, nik(n)):
        citizen.says(text)
    full = citizen.says(day)
    assert "sudah penuh" in full[0] and "TUNGGU" in full[-1], full
    return citizen.says("TUNGGU")


def entries(db) -> dict[str, str]:
    """Return each waiting phone's entry status (the newest entry per phone)."""
    with db.transaction() as session:
        rows = session.execute(select(WaitlistEntry.phone, WaitlistEntry.status).order_by(WaitlistEntry.id))
        return dict(rows.all())


def hold_of(db, phone: str) -> Booking | None:
    with db.transaction() as session:
        return session.scalar(select(Booking).where(Booking.phone == phone, Booking.status == "held"))


def test_the_waitlist_chain(db, one_place, citizen, clock):
    """A books the last place, B and C wait, A cancels: B is offered it, lets it lapse, C takes it."""
    a_code = book(citizen, "Kamis")
    b, c = citizen.other(B_PHONE), citizen.other(C_PHONE)
    assert join(b, 2, "Bayu Pratama") == [
        "Anda di daftar tunggu Kamis, 3 Desember 2026. Jika ada tempat kosong kami kirim pesan; "
        "balas YA dalam 30 menit untuk mengambilnya."
    ]
    join(c, 3, "Citra Dewi")
    assert entries(db) == {B_PHONE: "waiting", C_PHONE: "waiting"}
    assert offer_waitlist(db, clock()) == 0  # no place free yet

    clock.advance(minutes=5)
    citizen.says("BATAL")
    assert "dibatalkan" in citizen.says("YA")[0]
    assert available(db, THURSDAY, clock()) == 1

    assert offer_waitlist(db, clock()) == 1
    assert offer_waitlist(db, clock()) == 0  # the place is held for B now
    [offer] = outbox(db, "waitlist_offer")
    assert offer.body == (
        "Ada tempat kosong Kamis, 3 Desember 2026 08:00-10:00 untuk Bayu Pratama. "
        "Balas YA dalam 30 menit untuk memesan, atau TIDAK."
    )
    held = hold_of(db, B_PHONE)
    assert held.hold_expires_at == clock() + dt.timedelta(minutes=30) and offer.booking_id == held.id
    assert entries(db) == {B_PHONE: "offered", C_PHONE: "waiting"}
    assert state_of(db, B_PHONE).step == "confirm"
    assert available(db, THURSDAY, clock()) == 0

    # B does not answer. The ten-minute hold sweep leaves the 30-minute offer alone.
    clock.advance(minutes=29, seconds=59)
    assert expire_holds(db, clock()) == 0 and expire_offers(db, clock()) == 0
    clock.advance(seconds=1)
    assert expire_offers(db, clock()) == 1
    assert expire_offers(db, clock()) == 0
    [lapsed] = outbox(db, "waitlist_expired")
    assert lapsed.body == ("Waktu 30 menit habis: tempat Kamis, 3 Desember 2026 diberikan ke warga berikutnya.")
    assert entries(db) == {B_PHONE: "expired", C_PHONE: "waiting"}
    assert state_of(db, B_PHONE).step == "menu"

    assert offer_waitlist(db, clock()) == 1
    assert entries(db) == {B_PHONE: "expired", C_PHONE: "offered"}
    clock.advance(minutes=12)
    booked = c.says("YA")
    assert "Booking berhasil" in booked[0]
    assert entries(db) == {B_PHONE: "expired", C_PHONE: "booked"}
    with db.transaction() as session:
        c_booking = session.scalar(select(Booking).where(Booking.phone == C_PHONE))
        assert (c_booking.status, c_booking.date, c_booking.name) == ("booked", THURSDAY, "Citra Dewi")
    # B's late YA books nothing; A's place went round once and the day is full again.
    assert "Layanan paspor" in b.says("YA")[0]
    assert available(db, THURSDAY, clock()) == 0
    assert booking(db, a_code).status == "cancelled"


def test_a_released_place_goes_to_the_waiting_list(db, one_place, citizen, clock):
    book(citizen, "Kamis")
    b = citizen.other(B_PHONE)
    join(b, 2, "Bayu Pratama")
    send_reminders(db, wib(2, 9, 0))
    assert release_unconfirmed(db, wib(2, 20, 0)) == 1
    assert offer_waitlist(db, wib(2, 20, 0)) == 1
    clock.set(wib(2, 20, 10))
    assert "langsung terkonfirmasi" in b.says("ya")[0]  # after Wednesday 09:00: confirmed at once
    with db.transaction() as session:
        assert session.scalar(select(Booking.status).where(Booking.phone == B_PHONE)) == "confirmed"


def test_a_lapsed_hold_frees_its_place_for_the_waiting_list(db, one_place, citizen, clock):
    for text in ("1", "baru biasa", "Ani Lestari", nik(1), "Kamis"):
        citizen.says(text)
    assert "Balas YA" in citizen.says("1")[0]  # A holds the only place and goes quiet
    b = citizen.other(B_PHONE)
    join(b, 2, "Bayu Pratama")
    clock.advance(minutes=10)
    # The hold has lapsed: the place counts as free even before the hold sweep tidies it.
    assert offer_waitlist(db, clock()) == 1
    assert expire_holds(db, clock()) == 1
    assert len(outbox(db, "hold_expired")) == 1  # A was still at the summary: told once
    assert "Layanan paspor" in citizen.says("YA")[0]  # A's late YA books nothing
    assert "Booking berhasil" in b.says("YA")[0]


def test_declining_an_offer_passes_it_on(db, one_place, citizen, clock):
    code = book(citizen, "Kamis")
    b, c = citizen.other(B_PHONE), citizen.other(C_PHONE)
    join(b, 2, "Bayu Pratama")
    join(c, 3, "Citra Dewi")
    citizen.says(f"BATAL {code}")
    citizen.says("YA")
    offer_waitlist(db, clock())
    assert b.says("TIDAK") == ["Baik, tempat itu diberikan ke warga berikutnya."]
    assert entries(db) == {B_PHONE: "cancelled", C_PHONE: "waiting"}
    assert offer_waitlist(db, clock()) == 1
    assert entries(db)[C_PHONE] == "offered"


def test_an_entry_whose_nik_has_booked_meanwhile_is_passed_over(db, one_place, citizen, clock):
    """The NIK rule holds when an offer is made: one active booking per NIK."""
    code = book(citizen, "Kamis")
    b, c = citizen.other(B_PHONE), citizen.other(C_PHONE)
    join(b, 2, "Bayu Pratama")
    join(c, 3, "Citra Dewi")
    book(b, "Jumat", n=2, name="Bayu Pratama")  # B settles for Friday
    citizen.says(f"BATAL {code}")
    citizen.says("YA")
    assert offer_waitlist(db, clock()) == 1
    assert entries(db) == {B_PHONE: "cancelled", C_PHONE: "offered"}
    assert hold_of(db, C_PHONE) is not None and hold_of(db, B_PHONE) is None


def test_a_citizen_talking_with_an_officer_keeps_their_turn(db, one_place, citizen, clock):
    code = book(citizen, "Kamis")
    b, c = citizen.other(B_PHONE), citizen.other(C_PHONE)
    join(b, 2, "Bayu Pratama")
    join(c, 3, "Citra Dewi")
    b.says("PETUGAS")
    citizen.says(f"BATAL {code}")
    citizen.says("YA")
    assert offer_waitlist(db, clock()) == 1
    assert entries(db) == {B_PHONE: "waiting", C_PHONE: "offered"}


def test_an_opted_out_number_leaves_the_list(db, one_place, citizen, clock):
    code = book(citizen, "Kamis")
    b, c = citizen.other(B_PHONE), citizen.other(C_PHONE)
    join(b, 2, "Bayu Pratama")
    join(c, 3, "Citra Dewi")
    b.says("STOP")
    citizen.says(f"BATAL {code}")
    citizen.says("YA")
    assert offer_waitlist(db, clock()) == 1
    assert entries(db) == {B_PHONE: "cancelled", C_PHONE: "offered"}


def test_joining_twice_is_refused_kindly(db, one_place, citizen, clock):
    book(citizen, "Kamis")
    b = citizen.other(B_PHONE)
    join(b, 2, "Bayu Pratama")
    assert join(b, 3, "Bayu Junior") == ["Nomor ini sudah ada di daftar tunggu Kamis, 3 Desember 2026."]
    assert entries(db) == {B_PHONE: "waiting"}


def test_joining_in_english(db, one_place, citizen):
    book(citizen, "Kamis")
    b = citizen.other(B_PHONE)
    b.says("EN")
    for text in ("1", "new ordinary", "Bob Smith", nik(2)):
        b.says(text)
    assert "Or reply WAIT to join the waiting list" in b.says("Thursday")[-1]
    assert b.says("WAIT")[0].startswith("You are on the waiting list for Thursday, 3 December 2026.")


def test_entries_of_a_day_gone_by_leave_the_list(db, one_place, citizen):
    book(citizen, "Kamis")
    join(citizen.other(B_PHONE), 2, "Bayu Pratama")
    assert offer_waitlist(db, wib(4, 8, 0)) == 0
    assert entries(db) == {B_PHONE: "expired"}


def test_several_places_go_to_as_many_in_line(db, citizen, clock):
    set_capacity(db, {"08:00": 2, "10:00": 0, "13:00": 0})
    first = book(citizen, "Kamis")
    second = book(citizen.other(D_PHONE), "Kamis", n=4)
    b, c = citizen.other(B_PHONE), citizen.other(C_PHONE)
    join(b, 2, "Bayu Pratama")
    join(c, 3, "Citra Dewi")
    for phone, code in ((citizen, first), (citizen.other(D_PHONE), second)):
        phone.says(f"BATAL {code}")
        phone.says("YA")
    assert offer_waitlist(db, clock()) == 2
    assert entries(db) == {B_PHONE: "offered", C_PHONE: "offered"}


@pytest.mark.slow
def test_processes_racing_offer_each_free_place_once_and_in_turn(db, clock):
    """Four schedulers at the same moment, three free places, six waiting: the first three
    in line get one offer each, and no more places are held than there are."""
    from storage.conversations import lock_conversation
    from storage.offices import office_by_code
    from storage.waitlist import join_waitlist
    from tests.scheduler.test_sweeps import race

    set_capacity(db, {"08:00": 3, "10:00": 0, "13:00": 0})
    phones = [f"+628120003{n:04d}" for n in range(1, 7)]
    with db.transaction() as session:
        office = office_by_code(session, "PLG")
        for n, phone in enumerate(phones, start=1):
            conversation = lock_conversation(session, office, phone, "whatsapp", clock())
            join_waitlist(
                session,
                office,
                conversation,
                day=THURSDAY,
                service="new",
                passport_type="ordinary",
                name=f"Warga {n}",
                nik=nik(n),
                now=clock(),
            )
    counts = race(
        db.url,
        "import datetime as dt\nfrom scheduler.sweeps import offer_waitlist\n"
        f"print(offer_waitlist(db, dt.datetime.fromisoformat({clock().isoformat()!r})))",
    )
    assert sum(int(count) for count in counts) == 3
    status = entries(db)
    assert [status[phone] for phone in phones] == ["offered"] * 3 + ["waiting"] * 3
    assert available(db, THURSDAY, clock()) == 0
    assert len(outbox(db, "waitlist_offer")) == 3
