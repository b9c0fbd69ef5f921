"""The tables, one module per aggregate; importing this package registers them all."""
from storage.models.office import ClosedDate, Office, OfficeSession, SendSlot, SessionDay
from storage.models.booking import ACTIVE_STATUSES, Booking, WaitlistEntry
from storage.models.conversation import Conversation, Message
from storage.models.token import ApiToken

__all__ = [
    "ACTIVE_STATUSES",
    "ApiToken",
    "Booking",
    "ClosedDate",
    "Conversation",
    "Message",
    "Office",
    "OfficeSession",
    "SendSlot",
    "SessionDay",
    "WaitlistEntry",
]
