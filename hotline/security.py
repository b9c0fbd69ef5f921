"""What every response and every form gets: security headers, cookie settings, CSRF tokens."""

from __future__ import annotations

import datetime as dt

from flask import Flask, Response, abort, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()

# No inline script or style anywhere, no third party: the pages work without JavaScript.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: CSRF checks over https compare the Referer with the host.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"
MAX_CONTENT_LENGTH = 64 * 1024  # bytes
MAX_FORM_PARTS = 200  # fields of one form


def served_over_https(app: Flask) -> bool:
    """Tell whether the app's public address is https (so cookies must be Secure)."""
    return (app.config.get("PUBLIC_URL") or "").lower().startswith("https://")


def init_app(app: Flask) -> None:
    """Set cookie flags, CSRF protection (not for Twilio or the API) and headers on every response."""
    https = served_over_https(app)
    app.config.update(
        SESSION_COOKIE_NAME="hotline_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=app.config["SESSION_HOURS"]),
        # A poll every few seconds must not push the sign-in's end further (hotline/auth.py
        # ends it SESSION_HOURS after the sign-in, whatever the cookie says).
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    # A request's body is refused (413) before it is read when larger than this, and its form
    # when it has more fields: nothing here is bigger (Twilio posts a few dozen fields, the
    # largest form is a reply of 1,600 characters), and a 12 MB body of a million fields
    # would hold a worker for seconds before its signature is even checked.
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.config["MAX_FORM_PARTS"] = MAX_FORM_PARTS
    # A token lives as long as the signed-in session, not an hour: a reply typed over lunch still goes.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    if app.config.get("PROXIES"):
        count = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]

    from hotline import api, webhooks

    csrf.init_app(app)
    # Twilio signs its posts and API clients send a bearer token: neither has a cookie to forge.
    csrf.exempt(webhooks.bp)
    csrf.exempt(api.bp)

    @app.errorhandler(CSRFError)
    def _csrf_refused(error: CSRFError):
        return render_template("error.html", title_key="error.csrf.title", text_key="error.csrf.text"), 400

    @app.before_request
    def _few_form_fields() -> None:
        # werkzeug caps the parts of a multipart form (MAX_FORM_PARTS), not the fields of an
        # urlencoded one (all Twilio posts): count them before anything parses the body.
        if request.mimetype == "application/x-www-form-urlencoded":
            body = request.get_data(cache=True)  # at most MAX_CONTENT_LENGTH, else 413 here
            if body and body.count(b"&") + 1 > MAX_FORM_PARTS:
                abort(413)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static":
            # Pages show citizens' names and numbers: keep them out of shared browsers' caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
