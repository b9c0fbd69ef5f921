"""One citizen of the capacity race: a process that takes one place through the real services.

Run as a script by tests/storage/test_capacity_race.py, never collected by pytest. Argument: a
JSON object (url, office, session_id, day, now, phone, nik, mode). The worker imports, connects,
prints "ready", waits for one line on stdin (the common start), takes its place in its own
transaction(s), and prints one JSON line with its outcome.

mode "hold":  lock_conversation + hold_place, commit.
mode "same":  lock_conversation + hold_place + confirm_hold, in one transaction.
mode "next":  lock_conversation + hold_place, commit; then lock_conversation + confirm_hold.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import traceback


def main() -> int:
    job = json.loads(sys.argv[1])
    from sqlalchemy import select

    from storage.bookings import Refused, confirm_hold, hold_place
    from storage.calendar import national_holidays
    from storage.conversations import lock_conversation
    from storage.db import Database
    from storage.models import Office

    db = Database(job["url"])
    with db.engine.connect():  # open the pooled connection before the start, not after it
        pass
    now = dt.datetime.fromisoformat(job["now"])
    day = dt.date.fromisoformat(job["day"])
    national_holidays(day.year)  # computed (and cached) before the start, to race tightly
    print("ready", flush=True)
    sys.stdin.readline()

    started = time.monotonic()
    result: dict = {"phone": job["phone"], "mode": job["mode"]}
    try:
        with db.transaction() as session:
            office = session.scalar(select(Office).where(Office.code == job["office"]))
            conversation = lock_conversation(session, office, job["phone"], "whatsapp", now)
            hold = hold_place(
                session,
                office,
                conversation,
                session_id=job["session_id"],
                day=day,
                service="new",
                passport_type="ordinary",
                name=f"Warga {job['phone'][-4:]}",
                nik=job["nik"],
                moving=None,
                now=now,
                hold_minutes=10,
                max_per_phone=5,
            )
            code, status = hold.code, hold.status
            if job["mode"] == "same":
                status = confirm_hold(session, office, conversation, code, now).status
        if job["mode"] == "next":
            with db.transaction() as session:
                office = session.scalar(select(Office).where(Office.code == job["office"]))
                conversation = lock_conversation(session, office, job["phone"], "whatsapp", now)
                status = confirm_hold(session, office, conversation, code, now).status
        result.update(outcome="won", status=status, code=code)
    except Refused as refusal:
        result.update(outcome="refused", reason=refusal.reason, code=refusal.code)
    except Exception:  # reported to the test, which fails with the traceback
        result.update(outcome="error", error=traceback.format_exc())
    finally:
        db.dispose()
    result.update(started=started, ended=time.monotonic())
    print(json.dumps(result), flush=True)
    return 0 if result["outcome"] != "error" else 1


if __name__ == "__main__":
    sys.exit(main())
