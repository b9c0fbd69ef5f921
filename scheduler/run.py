"""Run the sweeps: once as of a given instant (`hotline jobs run-due`), or for ever on a
schedule (`hotline scheduler`).

Every sweep finds due work in the database and claims it there, so any number of scheduler
processes, restarts and missed runs are safe; nothing is kept in the scheduler's memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scheduler import delivery, sweeps
from scheduler.transport import Transport
from storage.db import Database
from storage.effects import Limits

log = logging.getLogger(__name__)

# Order matters within one run: lapsed holds and offers and releases give their places back
# before the waiting list is offered what is free. Otherwise any order is safe.
SWEEPS: tuple[Callable[..., int], ...] = (
    sweeps.expire_holds,
    sweeps.expire_offers,
    sweeps.release_unconfirmed,
    sweeps.offer_waitlist,
    sweeps.send_reminders,
)


@dataclass(frozen=True)
class DeliverySettings:
    public_url: str | None
    send_rate: float
    max_attempts: int

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DeliverySettings:
        return cls(
            public_url=config.get("PUBLIC_URL"), send_rate=config["SEND_RATE"], max_attempts=config["SEND_MAX_ATTEMPTS"]
        )


def run_sweeps(db: Database, now: dt.datetime, limits: Limits = Limits()) -> dict[str, int]:
    """Run every sweep once as of now, in order; return how many items each handled."""
    done = {}
    for sweep in SWEEPS:
        run = functools.partial(sweep, limits=limits) if sweep is sweeps.offer_waitlist else sweep
        done[sweep.__name__] = run(db, now)
    return done


def deliver(db: Database, now: dt.datetime, transport: Transport, settings: DeliverySettings) -> int:
    """Send the messages due as of now; return how many went."""
    return delivery.deliver_due(
        db,
        now,
        transport,
        public_url=settings.public_url,
        send_rate=settings.send_rate,
        max_attempts=settings.max_attempts,
    )


def run_due(
    db: Database,
    now: dt.datetime,
    transport: Transport,
    settings: DeliverySettings,
    limits: Limits = Limits(),
) -> dict[str, int]:
    """Run every sweep, then deliver what is due, all as of now."""
    done = run_sweeps(db, now, limits)
    done["delivered"] = deliver(db, now, transport, settings)
    return done
