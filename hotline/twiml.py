"""TwiML replies."""

from __future__ import annotations

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse


def messaging_response(replies: list[str]) -> Response:
    """Return a TwiML <Response> with one <Message> per reply (none: an empty response)."""
    response = MessagingResponse()
    for reply in replies:
        response.message(reply)
    return Response(str(response), mimetype="text/xml")
