"""gunicorn's settings, read by `gunicorn wsgi:app` run from this folder (its default config file).

A worker that takes longer than `timeout` over one request is killed. Twilio waits at most 15 s
for a webhook; the webhook gives up waiting for the database after HOTLINE_WEBHOOK_DEADLINE_SECONDS
(10 s), so the worker's limit is set well above that (20 s): it stops only a worker that is stuck,
never one that is slow inside its deadline. A killed worker's transaction never commits, and Twilio
delivers the message again (the webhook URL's connection overrides ask it to). `--timeout` on the
command line or in GUNICORN_CMD_ARGS overrides this.
"""

from hotline.config import from_environment, is_loopback

timeout = 2 * from_environment()["WEBHOOK_DEADLINE_SECONDS"]
graceful_timeout = timeout
# The access log without query strings (%(U)s, not %(r)s): a search may carry a phone number.
# The app logs every request itself too, as JSON with its request id (hotline/logs.py).
access_log_format = '%(h)s - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def on_starting(server) -> None:
    """Refuse to serve demo mode (unsigned webhook, open simulator) on an address others reach."""
    if not from_environment()["DEMO"]:
        return
    exposed = [a for a in server.cfg.address if isinstance(a, tuple) and not is_loopback(str(a[0]))]
    if exposed:
        raise SystemExit(
            f"HOTLINE_DEMO is set and gunicorn binds {exposed[0][0]}: demo mode serves only on this"
            " machine (--bind 127.0.0.1:PORT), or unset HOTLINE_DEMO and set TWILIO_AUTH_TOKEN"
        )
