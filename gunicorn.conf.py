"""gunicorn's settings, read by `gunicorn wsgi:app` run from this folder (its default config file).

A worker that takes longer than `timeout` over one request is killed. Twilio waits at most 15 s
for a webhook; the webhook gives up waiting for the database after HOTLINE_WEBHOOK_DEADLINE_SECONDS
(10 s), so the worker's limit is set well above that (20 s): it stops only a worker that is stuck,
never one that is slow inside its deadline. A killed worker's transaction never commits, and Twilio
delivers the message again (the webhook URL's connection overrides ask it to). `--timeout` on the
command line or in GUNICORN_CMD_ARGS overrides this.
"""

from hotline.config import from_environment

timeout = 2 * from_environment()["WEBHOOK_DEADLINE_SECONDS"]
graceful_timeout = timeout
