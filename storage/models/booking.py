"""Bookings, and the short holds that become them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conversations.channels import Channel
from conversations.vocabulary import HOLDING, IN_LINE, BookingStatus, WaitlistStatus, sql_list
from storage.base import Base, UTCDateTime
from storage.models.office import Office, OfficeSession

# A hold is a place kept for a citizen for a few minutes while they confirm; it counts
# against capacity only until hold_expires_at (see conversations.vocabulary.BookingStatus).
SERVICES = ("new", "renewal", "lost", "damaged")
PASSPORT_TYPES = ("ordinary", "electronic")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class WaitlistEntry(Base):
    """A citizen waiting for a place on a full day, with the details to book it."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_list(WaitlistStatus)})", name="status"),
        # One place in the queue per phone and day.
        Index(
            "uq_waitlist_entries_waiting",
            "office_id",
            "date",
            "phone",
            unique=True,
            sqlite_where=text(f"status IN ({sql_list(WaitlistStatus, IN_LINE)})"),
            postgresql_where=text(f"status IN ({sql_list(WaitlistStatus, IN_LINE)})"),
        ),
        Index("ix_waitlist_entries_queue", "office_id", "date", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    phone: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(10))
    passport_type: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    nik: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10))
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))  # the place offered
    offer_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_list(BookingStatus)})", name="status"),
        CheckConstraint(f"service IN ({_in(SERVICES)})", name="service"),
        CheckConstraint(f"passport_type IN ({_in(PASSPORT_TYPES)})", name="passport_type"),
        CheckConstraint(f"channel IN ({sql_list(Channel)})", name="channel"),
        # One active booking or hold per NIK per office, whatever number it comes from
        # (touts sold places in 2018). Holds of a move carry no NIK: the booking they move does.
        Index(
            "uq_bookings_office_nik_active",
            "office_id",
            "nik",
            unique=True,
            sqlite_where=text(f"status IN ({sql_list(BookingStatus, HOLDING)}) AND nik IS NOT NULL"),
            postgresql_where=text(f"status IN ({sql_list(BookingStatus, HOLDING)}) AND nik IS NOT NULL"),
        ),
        Index("ix_bookings_slot", "session_id", "date", "status"),
        Index("ix_bookings_office_date", "office_id", "date"),
        Index("ix_bookings_phone", "office_id", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("office_sessions.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    channel: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(10))
    passport_type: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    nik: Mapped[str | None] = mapped_column(String(16))
    # A hold that moves an existing booking to another day or session.
    moves_booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    hold_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    booked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    office: Mapped[Office] = relationship()
    session: Mapped[OfficeSession] = relationship()
