"""The tables, one module per aggregate; importing this package registers them all."""
from storage.models.office import ClosedDate, Office, OfficeSession, SendSlot, SessionDay
from storage.models.booking import ACTIVE_STATUSES, Booking, WaitlistEntry
from storage.models.conversation import Conversation, ConversationRead, Message, Note
from storage.models.officer import AuditEvent, CannedReply, LoginAttempt, Officer, OfficerOffice
from storage.models.token import ApiToken

__all__ = [
    "ACTIVE_STATUSES",
    "ApiToken",
    "AuditEvent",
    "CannedReply",
    "ConversationRead",
    "LoginAttempt",
    "Note",
    "Officer",
    "OfficerOffice",
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
