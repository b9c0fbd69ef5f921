"""The scheduler's sweeps: find due work in the tables, claim it, do it.

Each sweep is `fn(db, now) -> int` (how many items it handled) and reads no clock but `now`.
It lists candidates in one short transaction, then does each item in a transaction of its
own that claims it again under a lock and re-checks that it is still due, so any number of
scheduler processes, restarts and missed runs are safe: an item another process is doing
(or a citizen's message is touching) is skipped and left for the next run, and an item done
already no longer matches. Missed runs catch up: everything still due at `now` is done.

Run them in the order of scheduler.run.SWEEPS: lapsed holds, lapsed offers and releases give
their places back before the waiting list is offered what is free.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import select

from storage import holds, reminders, waitlist
from storage.db import Database
from storage.effects import Limits
from storage.models import Office

log = logging.getLogger(__name__)

BATCH = 500  # candidates listed per office and run; what is left waits for the next run
MAX_OFFERS_PER_DAY = 1000  # a bound on one day's offer loop, against a bug looping forever


def _each(db: Database, ids: list[int], work: Callable[..., bool], now: dt.datetime) -> int:
    """Do work(session, id, now) for each id in its own transaction; return how many were done.

    An item that fails is rolled back, logged and left for the next run: one bad row must not
    stop every reminder queued after it.
    """
    done = 0
    for item in ids:
        try:
            if db.run(lambda session: work(session, item, now)):
                done += 1
        except Exception:
            log.exception("%s: item %s failed; left for the next run", work.__name__, item)
    return done


def _office_ids(db: Database) -> list[int]:
    return db.run(lambda session: list(session.scalars(select(Office.id).order_by(Office.id))))


def _per_office(
    db: Database,
    now: dt.datetime,
    find: Callable[..., list[int]],
    work: Callable[..., bool],
) -> int:
    """List each office's due items with find, then do each with work; return how many were done."""
    done = 0
    for office_id in _office_ids(db):
        ids = db.run(lambda session: find(session, session.get(Office, office_id), now, BATCH))
        done += _each(db, ids, work, now)
    return done


def expire_holds(db: Database, now: dt.datetime) -> int:
    """Expire holds past their time; tell the citizens still at their summary, once."""
    return _each(db, db.run(lambda session: holds.lapsed_holds(session, now, BATCH)), holds.expire_hold, now)


def send_reminders(db: Database, now: dt.datetime) -> int:
    """Queue one reminder per booking due one (the day before, from reminder_at), and mark it."""
    return _per_office(db, now, reminders.due_reminders, reminders.remind)


def release_unconfirmed(db: Database, now: dt.datetime) -> int:
    """Release the reminded bookings still unconfirmed at confirm_by the day before, with a notice."""
    return _per_office(db, now, reminders.due_releases, reminders.release)


def expire_offers(db: Database, now: dt.datetime) -> int:
    """Let waiting-list offers not taken in time go, with a notice; their places go on."""
    return _each(db, db.run(lambda session: waitlist.lapsed_offers(session, now, BATCH)), waitlist.expire_offer, now)


def offer_waitlist(db: Database, now: dt.datetime, limits: Limits = Limits()) -> int:
    """Offer each free place of a day with a waiting list to the first in line; return how many."""
    db.run(lambda session: waitlist.retire_past_entries(session, now))
    offered = 0
    for office_id, day in db.run(lambda session: waitlist.waiting_days(session, now)):
        for _ in range(MAX_OFFERS_PER_DAY):
            outcome = db.run(
                lambda session: waitlist.offer_next(session, office_id, day, now, limits.max_bookings_per_phone)
            )
            if outcome == "offered":
                offered += 1
            elif outcome != "passed":
                break  # none waiting, no place free, or the first in line is busy: next run
        else:
            log.error("waiting list of office %s on %s: offer loop did not end", office_id, day)
    return offered
