"""The tables, one module per aggregate; importing this package registers them all."""

from storage.models.booking import Booking, WaitlistEntry
from storage.models.conversation import Conversation, ConversationRead, DeliveryState, Message, Note
from storage.models.office import ClosedDate, Office, OfficeFee, OfficeQuestion, OfficeSession, SendSlot, SessionDay
from storage.models.officer import LEADS, AuditEvent, CannedReply, LoginAttempt, Officer, OfficerOffice, OfficerRole
from storage.models.token import ApiToken

__all__ = [
    "LEADS",
    "DeliveryState",
    "OfficerRole",
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
    "OfficeFee",
    "OfficeQuestion",
    "OfficeSession",
    "SendSlot",
    "SessionDay",
    "WaitlistEntry",
]
