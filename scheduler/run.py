"""Run the sweeps: once as of a given instant (`hotline jobs run-due`), or for ever on a
schedule (`hotline scheduler`).

Every sweep finds due work in the database and claims it there, so any number of scheduler
processes, restarts and missed runs are safe; nothing is kept in the scheduler's memory.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotline.twilio_out import Transport
from scheduler import delivery, sweeps
from storage.db import Database

log = logging.getLogger(__name__)

# Order matters within one run: expired holds and offers free places before the waitlist
# is offered them, and releases happen before anything is sent.
SWEEPS: tuple[tuple[str, Callable[[Database, dt.datetime], int]], ...] = (
    ("expire_holds", sweeps.expire_holds),
    ("expire_offers", sweeps.expire_offers),
    ("release_unconfirmed", sweeps.release_unconfirmed),
    ("offer_waitlist", sweeps.offer_waitlist),
    ("send_reminders", sweeps.send_reminders),
)


@dataclass(frozen=True)
class DeliverySettings:
    public_url: str | None
    send_rate: float
    max_attempts: int

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DeliverySettings:
        return cls(public_url=config.get("PUBLIC_URL"), send_rate=config["SEND_RATE"],
                   max_attempts=config["SEND_MAX_ATTEMPTS"])


def run_sweeps(db: Database, now: dt.datetime) -> dict[str, int]:
    """Run every sweep once as of now; return how many items each handled."""
    done = {}
    for name, sweep in SWEEPS:
        done[name] = sweep(db, now)
    return done


def deliver(db: Database, now: dt.datetime, transport: Transport, settings: DeliverySettings) -> int:
    """Send the messages due as of now; return how many went."""
    return delivery.deliver_due(db, now, transport, public_url=settings.public_url,
                                send_rate=settings.send_rate, max_attempts=settings.max_attempts)


def run_due(db: Database, now: dt.datetime, transport: Transport, settings: DeliverySettings) -> dict[str, int]:
    """Run every sweep, then deliver what is due, all as of now."""
    done = run_sweeps(db, now)
    done["delivered"] = deliver(db, now, transport, settings)
    return done
