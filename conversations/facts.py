"""What the machine must know of the world to answer one message; storage provides it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from conversations.hours import DEFAULT_HOURS, OfficeHours
from conversations.questions import Fee, Question
from conversations.vocabulary import RefusalReason

# The defaults of the limits an office's deployment may change (HOTLINE_HOLD_MINUTES, …).
HOLD_MINUTES = 10  # how long a chosen session is held for the citizen's YA
MAX_BOOKINGS_PER_PHONE = 5  # active bookings one number may hold at an office


class PlacesNotCounted(Exception):
    """The machine read the places left on a day whose bookings storage did not count.

    Storage counts the places only when the machine reads them (most messages never do): it
    steps with the places of no day counted, and on this exception counts the day's (then the
    whole window's) and steps again. The machine is pure, so stepping again is safe.
    """

    def __init__(self, day: dt.date | None) -> None:
        super().__init__(day)
        self.day = day


@dataclass(frozen=True)
class SessionInfo:
    id: int
    number: int  # 1 for the day's first session: what a citizen types to choose it
    start: str  # "08:00"
    end: str
    capacity: int
    # Places neither booked nor held; 0 once the session has started. None: not counted.
    left: int | None
    date: dt.date | None = None  # the day this is the session of

    @property
    def available(self) -> int:
        """The places left; raises PlacesNotCounted when storage did not count them."""
        if self.left is None:
            raise PlacesNotCounted(self.date)
        return self.left


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    closed: str | None = None  # None when open; else "weekday", "holiday" or "office"
    holiday: str | None = None  # the holiday's name when closed for one
    sessions: tuple[SessionInfo, ...] = ()

    @property
    def available(self) -> int:
        return 0 if self.closed else sum(s.available for s in self.sessions)


@dataclass(frozen=True)
class BookingInfo:
    """One of the citizen's active bookings at this office."""

    code: str
    date: dt.date
    start: str
    end: str
    status: str
    service: str
    passport_type: str
    name: str
    nik_last4: str


@dataclass(frozen=True)
class HoldInfo:
    """The place this conversation holds while the citizen confirms."""

    code: str
    date: dt.date
    session_id: int
    expires_at: dt.datetime


@dataclass(frozen=True)
class Refusal:
    """Why storage could not apply an effect the machine asked for."""

    reason: RefusalReason
    code: str | None = None  # the booking concerned, where there is one


@dataclass(frozen=True)
class Facts:
    office_name: str
    today: dt.date  # in the office's time zone
    book_ahead_days: int
    days: Mapping[dt.date, DayInfo]  # from today to today + book_ahead_days
    office_address: str | None = None
    bookings: tuple[BookingInfo, ...] = ()
    hold: HoldInfo | None = None
    nik_bookings: Mapping[str, str] = field(default_factory=dict)  # NIK -> active booking code
    max_bookings: int = MAX_BOOKINGS_PER_PHONE
    hold_minutes: int = HOLD_MINUTES
    channel: str = "whatsapp"
    refusal: Refusal | None = None  # set when the machine runs again after a refused effect
    # Bookings reminded the day before and not yet confirmed: a bare YA (or BATAL) answers them.
    awaiting_confirmation: tuple[BookingInfo, ...] = ()
    reminder_at: str = "09:00"  # when the reminder goes, the day before an appointment
    confirm_by: str = "20:00"  # when unconfirmed places go back, the day before
    # Bookings up to this date are confirmed as they are made (their reminder time has
    # passed); None when storage neither reminds nor confirms (the machine then says nothing).
    confirmed_through: dt.date | None = None
    offer_minutes: int = 30  # how long a place offered from the waiting list is held
    officer_assigned: bool = False  # an officer has taken the conversation over
    # What the office answers to questions (fees, hours, address, documents ...).
    questions: tuple[Question, ...] = ()
    fees: tuple[Fee, ...] = ()
    hours: OfficeHours = DEFAULT_HOURS  # the officers' desk hours
    map_url: str | None = None
    # When officers are next at the desk, if they are not now (None: they are in now).
    officers_back_at: dt.datetime | None = None

    @property
    def last_day(self) -> dt.date:
        return self.today + dt.timedelta(days=self.book_ahead_days)

    @property
    def last_open_day(self) -> dt.date:
        """The last day of the booking window the office is open (what the bot announces)."""
        open_days = [day for day, info in self.days.items() if not info.closed and day <= self.last_day]
        return max(open_days, default=self.last_day)
