"""The floor the hotline's webhook is measured against: Flask, the same signature check, a fixed TwiML reply.

It checks X-Twilio-Signature as hotline/signatures.py does (a RequestValidator over PUBLIC_URL +
path, or the request URL, and the posted form) and answers one fixed message: what any Flask
webhook on this machine costs before it does anything of its own.

    gunicorn --chdir bench bare_app:app      (TWILIO_AUTH_TOKEN and PUBLIC_URL as for the hotline)
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>'

app = Flask(__name__)
app.config.update(
    TWILIO_AUTH_TOKEN=os.environ.get("TWILIO_AUTH_TOKEN") or None,
    PUBLIC_URL=(os.environ.get("PUBLIC_URL") or "").rstrip("/") or None,
)


def signed_url() -> str:
    public = app.config["PUBLIC_URL"]
    if not public:
        return request.url
    query = request.query_string.decode("latin-1")
    return public + request.path + (f"?{query}" if query else "")


@app.post("/twilio/inbound")
def inbound() -> Response:
    token = app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        return Response("TWILIO_AUTH_TOKEN is not configured\n", status=503, mimetype="text/plain")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not RequestValidator(token).validate(signed_url(), request.form, signature):
        return Response("invalid signature\n", status=403, mimetype="text/plain")
    return Response(TWIML, mimetype="text/xml")


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")
