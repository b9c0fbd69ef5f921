"""The hotline's Flask application: webhooks, the JSON API, officers' pages and the command line."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g

from hotline.config import check_demo, from_environment
from storage.db import Database, default_sqlite_url
from storage.effects import Limits

log = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    """Return the real current instant, in UTC: the app's clock unless a test gives another."""
    return dt.datetime.now(dt.UTC)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: configuration from the environment, or test_config when given."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    check_demo(app.config)
    if not app.config["SECRET_KEY"]:
        # Nothing signed survives a restart without a fixed key, nor passes between workers:
        # officers' sign-ins need SECRET_KEY set whenever more than one process serves them.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    url = app.config["DATABASE_URL"] or default_sqlite_url(app.instance_path)
    app.config["DATABASE_URL"] = url
    app.extensions["hotline.db"] = Database(url, lock_timeout=app.config["DB_LOCK_TIMEOUT_SECONDS"])
    app.extensions["hotline.clock"] = app.config.get("CLOCK") or utc_now
    app.before_request(_note_arrival)

    from hotline import api, auth, i18n, logs, security, webhooks

    logs.init_app(app)

    app.register_blueprint(webhooks.bp)
    app.register_blueprint(api.bp)
    security.init_app(app)
    i18n.init_app(app)
    auth.login_manager.init_app(app)
    app.register_blueprint(auth.bp)
    from hotline import inbox, simulator

    app.register_blueprint(inbox.bp)
    app.register_blueprint(simulator.bp)  # answers 404 unless DEMO
    from hotline import audit_log, bookings, quota

    app.register_blueprint(bookings.bp)
    app.register_blueprint(quota.bp)
    app.register_blueprint(audit_log.bp)
    return app


def _note_arrival() -> None:
    g.arrived = time.monotonic()


def arrival() -> float:
    """Return when the current request arrived, as a time.monotonic() value (real time, not the app's clock)."""
    arrived: float = g.get("arrived") or time.monotonic()
    return arrived


def database() -> Database:
    """Return the current app's database."""
    return current_app.extensions["hotline.db"]


def clock() -> Callable[[], dt.datetime]:
    """Return the current app's clock: a function giving the current instant, in UTC."""
    app_clock: Callable[[], dt.datetime] = current_app.extensions["hotline.clock"]
    return app_clock


def now() -> dt.datetime:
    """Return the current instant, in UTC, from the app's clock."""
    return clock()()


def limits() -> Limits:
    """Return the booking limits configured for the current app."""
    return Limits(
        hold_minutes=current_app.config["HOLD_MINUTES"],
        max_bookings_per_phone=current_app.config["MAX_BOOKINGS_PER_PHONE"],
    )
