"""The conversation: a pure state machine and its message catalogue (Bahasa Indonesia, English).

Nothing here touches Flask, SQLAlchemy, Twilio or the clock: `now` and the facts the machine
needs come in, replies and effects go out (see `machine.step`).
"""
