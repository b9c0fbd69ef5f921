"""The numbering of WhatsApp template variables is a contract with the approved templates.

Operators submit templates to WhatsApp with {{1}}, {{2}}… in the order the README lists; a
catalogue edit that reorders a message's placeholders would silently scramble every message
sent with an approved template. Change the README and the templates with it, or not at all.
"""

from __future__ import annotations

import pytest

from conversations.catalogue import MESSAGES
from scheduler.delivery import placeholder_order

DOCUMENTED = {
    "reminder": ["code", "date", "start", "end", "office", "address", "documents", "release_note"],
    "release": ["code", "date", "start", "end", "time"],
    "hold_expired": ["date", "start", "end"],
    "move_expired": ["code"],
    "waitlist_offer": ["date", "start", "end", "name", "minutes"],
    "waitlist_expired": ["minutes", "date"],
    "office_cancelled": ["code", "date", "start", "end"],
    "office_moved": ["code", "date", "start", "end"],
    "date_closed": ["date", "code", "dates"],
    "date_closed_none": ["date", "code", "last"],
    "date_reopened": ["date", "code", "start", "end"],
}


@pytest.mark.parametrize("message_id", sorted(DOCUMENTED))
def test_template_variables_keep_their_documented_numbers(message_id):
    assert placeholder_order(MESSAGES[message_id]["id"]) == DOCUMENTED[message_id]


def test_the_readme_documents_the_same_numbers():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    for message_id, names in DOCUMENTED.items():
        line = f"| `{message_id}` | " + ", ".join(f"{i} {name}" for i, name in enumerate(names, 1)) + " |"
        assert line in readme, line
