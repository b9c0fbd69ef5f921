"""What the machine remembers of one citizen between messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypedDict


class Step(StrEnum):
    """Where a conversation is: the question the bot waits for an answer to."""

    MENU = "menu"
    SERVICE = "service"
    PASSPORT_TYPE = "passport_type"
    NAME = "name"
    NIK = "nik"
    DATE = "date"
    SESSION = "session"
    CONFIRM = "confirm"  # the summary of a booking (or a move) is shown: YA books it
    CANCEL_PICK = "cancel_pick"  # which booking to cancel
    CANCEL_CONFIRM = "cancel_confirm"  # "Batalkan ...? Balas YA atau TIDAK"
    MOVE_PICK = "move_pick"  # which booking to move


STEPS = tuple(step.value for step in Step)

DATE_FIELDS = ("date", "waiting_for")  # stored as ISO strings in JSON


@dataclass(frozen=True)
class Draft:
    """The answers collected so far for a booking, a move or a cancellation."""

    service: str | None = None
    passport_type: str | None = None
    name: str | None = None
    nik: str | None = None
    date: dt.date | None = None
    session_id: int | None = None
    moving: str | None = None  # the code of the booking being moved (UBAH)
    cancelling: str | None = None  # the code of the booking awaiting a YA to cancel
    waiting_for: dt.date | None = None  # a full day the citizen may join the waiting list of
    offer: bool = False  # the held place was offered from the waiting list
    child: bool = False  # the booking is for a child ("untuk anak saya", or the NIK says so)


class DraftChanges(TypedDict, total=False):
    """Keyword arguments that replace fields of a Draft (mypy checks them against Draft)."""

    service: str | None
    passport_type: str | None
    name: str | None
    nik: str | None
    date: dt.date | None
    session_id: int | None
    moving: str | None
    cancelling: str | None
    waiting_for: dt.date | None
    offer: bool
    child: bool


@dataclass(frozen=True)
class State:
    step: Step = Step.MENU
    lang: str = "id"
    draft: Draft = field(default_factory=Draft)
    handover: bool = False  # an officer has the conversation; the bot stays silent
    opted_out: bool = False  # STOP: nothing at all goes to this number
    stuck: int = 0  # messages in a row the bot did not understand
    # The citizen's language is known (they wrote in it, or chose it): from then on only EN/ID
    # or a whole sentence in the other language changes it, never a single word.
    lang_known: bool = False
    # The code of the booking this conversation made last: TAMBAH books a family member with
    # its service, passport type and time, asking only the new name and NIK.
    family: str | None = None

    def __post_init__(self) -> None:
        # A step given as its name ("confirm") is the Step; an unknown one is left for
        # machine.sane_state to send back to the menu.
        if not isinstance(self.step, Step) and self.step in STEPS:
            object.__setattr__(self, "step", Step(self.step))

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON-safe values."""
        draft = dataclasses.asdict(self.draft)
        for name in DATE_FIELDS:
            if draft[name] is not None:
                draft[name] = draft[name].isoformat()
        return {
            "step": str(self.step),
            "lang": self.lang,
            "draft": draft,
            "handover": self.handover,
            "opted_out": self.opted_out,
            "stuck": self.stuck,
            "lang_known": self.lang_known,
            "family": self.family,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> State:
        """Rebuild a state from to_json's values; anything unreadable starts afresh."""
        if not value:
            return cls()
        try:
            raw = dict(value.get("draft") or {})
            for name in DATE_FIELDS:
                if raw.get(name):
                    raw[name] = dt.date.fromisoformat(raw[name])
            raw["offer"] = bool(raw.get("offer"))
            raw["child"] = bool(raw.get("child"))
            known = {f.name for f in dataclasses.fields(Draft)}
            draft = Draft(**{k: v for k, v in raw.items() if k in known})
            step: object = value.get("step", "menu")
            lang: object = value.get("lang")
            stuck: object = value.get("stuck", 0)
            family: object = value.get("family")
            return cls(
                step=Step(step) if isinstance(step, str) and step in STEPS else Step.MENU,
                lang=lang if isinstance(lang, str) and lang in ("id", "en") else "id",
                draft=draft,
                handover=bool(value.get("handover")),
                opted_out=bool(value.get("opted_out")),
                stuck=stuck if isinstance(stuck, int) and 0 <= stuck < 100 else 0,
                lang_known=bool(value.get("lang_known")),
                family=family if isinstance(family, str) else None,
            )
        except (TypeError, ValueError, AttributeError):
            return cls()
