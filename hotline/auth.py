"""Officers' sign-in and sign-out, who may see what, and the landing page.

For the pages of other blueprints:
    @bp.get("/inbox")
    @login_required                           # any signed-in officer
    def inbox(): ...

    @bp.post("/quota")
    @role_required(*LEADS)                    # 403 for any other role; sign-in first
    def quota(): ...

    office_ids_for(current_user)              # the offices the officer serves (None: every office)
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from hotline import database, now
from hotline.i18n import LANGUAGES, SESSION_KEY, t
from storage.audit import record as record_audit
from storage.models import Officer
from storage.models.officer import OfficerRole
from storage.officers import (
    MAX_PASSWORD_LENGTH,
    ThrottlePolicy,
    mark_attempt_succeeded,
    normalize_username,
    office_ids,
    officer_by_username,
    offices_served,
    password_matches,
    record_attempt,
    set_language,
    sign_in_refused_until,
)

__all__ = [
    "CurrentOfficer",
    "bp",
    "login_manager",
    "login_required",
    "office_ids_for",
    "role_required",
]

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "login.sign_in_first"
login_manager.localize_callback = t


@dataclass(frozen=True, eq=False)
class CurrentOfficer(UserMixin):
    """The signed-in officer, as loaded for this request (no database session attached)."""

    id: int
    username: str
    role: str
    language: str
    office_ids: frozenset[int] | None  # None: every office (an admin)
    session_key: str

    def get_id(self) -> str:
        return f"{self.id}:{self.session_key}"


def _session_key(officer: Officer) -> str:
    # Part of the signed-in session: a new password, or signing out, ends every session signed
    # in before (the password hash and the session generation change).
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    keyed = f"{officer.password_hash}:{officer.session_generation or 0}".encode()
    return hmac.new(secret, keyed, hashlib.sha256).hexdigest()[:24]


SIGNED_IN_AT = "signed_in_at"  # in the session: when (POSIX seconds) the officer signed in


def _session_expired() -> bool:
    """Tell whether this session is older than SESSION_HOURS since its sign-in, however used since."""
    signed_in = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in, int | float):
        return True
    age = now().timestamp() - signed_in
    return not 0 <= age <= current_app.config["SESSION_HOURS"] * 3600


def _current_officer(db_session, officer: Officer) -> CurrentOfficer:
    ids = office_ids(db_session, officer)
    return CurrentOfficer(
        id=officer.id,
        username=officer.username,
        role=officer.role,
        language=officer.language,
        office_ids=None if ids is None else frozenset(ids),
        session_key=_session_key(officer),
    )


@login_manager.user_loader
def _load_officer(user_id: str) -> CurrentOfficer | None:
    number, _, key = user_id.partition(":")
    if not number.isdigit() or _session_expired():
        return None
    with database().reading() as db_session:
        officer = db_session.get(Officer, int(number))
        # A deactivated officer, or a changed password, ends the session at the next request.
        if officer is None or not officer.active or not hmac.compare_digest(key, _session_key(officer)):
            return None
        return _current_officer(db_session, officer)


@login_manager.unauthorized_handler
def _sign_in_first() -> ResponseReturnValue:
    flash(t("login.sign_in_first"), "info")
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


# --- access rules -------------------------------------------------------------------------------


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Let only signed-in officers with one of the roles through (403 for the others)."""
    unknown = set(roles) - set(OfficerRole)
    if not roles or unknown:
        raise ValueError(f"role_required needs roles among {', '.join(OfficerRole)}, got {roles!r}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return login_required(checked)

    return decorate


def office_ids_for(officer: Any) -> set[int] | None:
    """Return the ids of the offices the officer serves, None for every office (an admin).

    Anyone not signed in serves none (an empty set).
    """
    if officer is None or not officer.is_authenticated:
        return set()
    return None if officer.office_ids is None else set(officer.office_ids)


# --- sign-in ------------------------------------------------------------------------------------


class SignInForm(FlaskForm):
    username = StringField(validators=[InputRequired(), Length(max=200)])
    password = PasswordField(validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)])


def throttle_policy() -> ThrottlePolicy:
    """Return the sign-in throttling configured for the current app."""
    config = current_app.config
    return ThrottlePolicy(
        failures_per_username=config["LOGIN_THROTTLE_FAILURES"],
        failures_per_address=config["LOGIN_THROTTLE_ADDRESS_FAILURES"],
        window=dt.timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"]),
    )


def safe_next(target: str | None) -> str | None:
    """Return target if it is a path on this site (never another host), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def _sign_in_page(form: SignInForm, next_url: str | None, error: str | None = None, status: int = 200):
    return render_template("login.html", form=form, next=next_url, error=error), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("auth.home"))
    form = SignInForm()
    if request.method == "GET":
        return _sign_in_page(form, next_url)
    if not form.validate_on_submit():
        return _sign_in_page(form, next_url, t("login.missing"), 400)

    username = normalize_username(form.username.data or "")
    address = request.remote_addr or "unknown"
    instant = now()
    stored: tuple[int, str] | None = None
    with database().transaction() as db_session:
        # Decided and recorded under one lock: parallel guesses cannot slip past the count.
        until = sign_in_refused_until(db_session, username, address, instant, throttle_policy())
        if until is None:
            attempt_id = record_attempt(db_session, username, address, instant)
            officer = officer_by_username(db_session, username)
            if officer is not None and officer.active:
                stored = (officer.id, officer.password_hash)
    if until is not None:
        seconds = max(1, math.ceil((until - instant).total_seconds()))
        # Not the typed username: people type their password there by mistake.
        log.warning("sign-in refused from %s: too many failures, until %s", address, until.isoformat())
        _audit_sign_in(None, "sign_in_refused", address, instant)
        page, status = _sign_in_page(form, next_url, t("login.throttled", minutes=math.ceil(seconds / 60)), 429)
        return page, status, {"Retry-After": str(seconds)}

    # The slow password check runs outside the transaction, so it holds no lock.
    if stored is None or not password_matches(stored[1], form.password.data or ""):
        log.info("sign-in failed from %s", address)
        _audit_sign_in(None, "sign_in_failed", address, instant)
        return _sign_in_page(form, next_url, t("login.failed"))

    with database().transaction() as db_session:
        mark_attempt_succeeded(db_session, attempt_id)
        officer = db_session.get(Officer, stored[0])
        signed_in = _current_officer(db_session, officer) if officer and officer.active else None
        if signed_in is not None:
            record_audit(db_session, officer, None, "sign_in", f"officer {username}", {"address": address}, now=instant)
    if signed_in is None:  # deactivated a moment ago
        return _sign_in_page(form, next_url, t("login.failed"))
    session.clear()  # nothing from before sign-in carries over
    login_user(signed_in, remember=False, fresh=True)
    session.permanent = True  # the cookie expires after SESSION_HOURS
    session[SIGNED_IN_AT] = instant.timestamp()  # and the sign-in with it, however used meanwhile
    log.info("officer %r signed in from %s", username, address)
    return redirect(next_url or url_for("auth.home"))


def _audit_sign_in(officer: Officer | None, action: str, address: str, instant: dt.datetime) -> None:
    """Put a refused or failed sign-in in the audit log: from where, never the username typed
    (a password is often typed there by mistake)."""
    with database().transaction() as db_session:
        record_audit(db_session, officer, None, action, "sign-in", {"address": address}, now=instant)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        language = current_user.language
        log.info("officer %r signed out", current_user.username)
        with database().transaction() as db_session:
            # Every session of this officer ends, not only this browser's.
            officer = db_session.get(Officer, current_user.id)
            if officer is not None:
                officer.session_generation = (officer.session_generation or 0) + 1
        logout_user()
        session.clear()
        session[SESSION_KEY] = language
        flash(t("login.signed_out"), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def choose_language():
    """Switch the pages' language: for the signed-in officer (stored), or for this browser."""
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        with database().transaction() as db_session:
            set_language(db_session, current_user.id, language)
    session[SESSION_KEY] = language
    return redirect(safe_next(request.form.get("next")) or url_for("auth.home"))


@bp.get("/")
@login_required
def home():
    with database().reading() as db_session:
        officer = db_session.get(Officer, current_user.id)
        offices = [(o.code, o.name) for o in offices_served(db_session, officer)] if officer else []
    return render_template("home.html", offices=offices, every_office=current_user.office_ids is None)


# --- errors as pages (JSON under the API, plain text for Twilio) ---------------------------------


def _error(code: int, error: Exception):
    if request.path.startswith("/api/"):
        return jsonify(error=getattr(error, "description", str(error))), code
    if request.path.startswith("/twilio/"):
        return Response(f"{code}\n", status=code, mimetype="text/plain")
    return render_template("error.html", title_key=f"error.{code}.title", text_key=f"error.{code}.text"), code


@bp.app_errorhandler(403)
def _forbidden(error: Exception):
    return _error(403, error)


@bp.app_errorhandler(404)
def _not_found(error: Exception):
    return _error(404, error)


@bp.app_errorhandler(413)
def _too_large(error: Exception):
    return _error(413, error)
