"""The scheduler process: APScheduler runs the sweeps and delivery on a timer, reading the clock it is given."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.schedulers.blocking import BlockingScheduler

from scheduler.run import DeliverySettings, deliver, run_sweeps
from scheduler.transport import Transport
from storage.db import Database
from storage.effects import Limits

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 30
DELIVER_EVERY_SECONDS = 2


def build_scheduler(
    db: Database,
    transport: Transport,
    settings: DeliverySettings,
    clock: Callable[[], dt.datetime],
    limits: Limits = Limits(),
) -> BlockingScheduler:
    """Return a scheduler with the sweep and delivery jobs; both run at once on start (catch-up).

    clock gives the current instant (timezone-aware) whenever a job runs.
    """
    scheduler = BlockingScheduler(timezone=dt.UTC)
    start = clock()

    def sweep_job() -> None:
        done = run_sweeps(db, clock(), limits)
        if any(done.values()):
            log.info("sweeps: %s", done)

    def deliver_job() -> None:
        sent = deliver(db, clock(), transport, settings)
        if sent:
            log.info("delivered %d message(s)", sent)

    # Explicit ids and a memory job store: nothing pickled, nothing shared between processes
    # (the database is what they share). A run that overlaps the next is skipped, not stacked.
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60, "replace_existing": True}
    scheduler.add_job(sweep_job, "interval", seconds=SWEEP_EVERY_SECONDS, id="sweeps", next_run_time=start, **common)
    scheduler.add_job(
        deliver_job, "interval", seconds=DELIVER_EVERY_SECONDS, id="deliver", next_run_time=start, **common
    )
    return scheduler
