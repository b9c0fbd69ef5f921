"""Benchmarks of the hotline: each command starts what it needs, stops by itself and reports.

    .venv/bin/python -m bench.webhook          the webhook against a bare Flask app, side by side
    .venv/bin/python -m bench.rush             5,000 citizens for one day of 150 places in a minute
    .venv/bin/python -m bench.scheduler_scale  the sweeps over 562,500 bookings, and send pacing
    .venv/bin/python -m bench.all [--smoke]    all three

Each takes --smoke (seconds, tiny sizes), --code DIR (the tree whose code is measured: another
checkout, e.g. a `git worktree` of an older commit) and --label (the heading its figures go
under in BENCHMARKS.md). Only 127.0.0.1 is contacted; databases are made fresh and dropped.
"""
