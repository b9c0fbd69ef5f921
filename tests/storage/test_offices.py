"""The office file: checking it (parse_offices) and loading it again and again (load_offices)."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from conversations.hours import DEFAULT_HOURS, hours_text, parse_hours
from conversations.questions import DEFAULT_FEES, DEFAULT_QUESTIONS, Fee, Question, fees_text, find_question
from storage.db import Database
from storage.models import ClosedDate, Office, OfficeFee, OfficeQuestion, OfficeSession
from storage.offices import (
    OfficeFileError,
    load_offices,
    office_fees,
    office_hours,
    office_questions,
    parse_offices,
)
from tests.conftest import default_office_specs

PALEMBANG_TOML = """
[[office]]
code = "PLG"
name = "Kantor Imigrasi Kelas I Palembang"
hotline = "0821-7619-0771"
timezone = "Asia/Jakarta"
address = "Jl. Parameswara No. 1, Bukit Lama, Palembang"
days = ["fri", "mon", "tue", "wed", "thu"]
book_ahead_days = 30
closed = [2026-12-10, "2026-12-11"]

  [[office.sessions]]
  start = "13:00"
  end = "15:00"
  capacity = 50

  [[office.sessions]]
  start = "08:00"
  end = "10:00"
  capacity = 50
"""


# --- builders -------------------------------------------------------------------------------


def palembang(**changes: Any) -> dict[str, Any]:
    """Return Palembang's [[office]] table as tomllib reads it, with some keys changed or removed (None)."""
    entry = copy.deepcopy(tomllib.loads(PALEMBANG_TOML)["office"][0])
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


def jakarta(**changes: Any) -> dict[str, Any]:
    entry = {
        "code": "JKS",
        "name": "Kantor Imigrasi Jakarta Selatan",
        "hotline": "+62217996016",
        "sessions": [{"start": "09:00", "end": "12:00", "capacity": 20}],
    }
    entry.update(changes)
    return entry


def document(*offices: dict[str, Any]) -> dict[str, Any]:
    return {"office": list(offices) or [palembang()]}


def load(db: Database, doc: dict[str, Any]) -> list[tuple[str, str]]:
    with db.transaction() as session:
        return load_offices(session, parse_offices(doc))


def stored(db: Database, code: str = "PLG") -> dict[str, Any]:
    """Return what the database holds for an office, in plain values."""
    with db.transaction() as session:
        office = session.scalar(select(Office).where(Office.code == code))
        if office is None:
            return {}
        sessions = session.scalars(
            select(OfficeSession).where(OfficeSession.office_id == office.id).order_by(OfficeSession.start)
        )
        closed = session.scalars(
            select(ClosedDate.date).where(ClosedDate.office_id == office.id).order_by(ClosedDate.date)
        )
        return {
            "name": office.name,
            "hotline": office.hotline,
            "days": office.days,
            "sessions": [(s.start, s.end, s.capacity, s.active) for s in sessions],
            "closed": list(closed),
        }


@pytest.fixture
def empty(database_url: str) -> Iterator[Database]:
    """A migrated database with no office yet."""
    database = Database(database_url)
    yield database
    database.dispose()


# --- parsing --------------------------------------------------------------------------------


def test_parse_reads_and_normalises_an_office() -> None:
    """Hotline to E.164, days in week order, sessions by start, dates as dates."""
    (spec,) = parse_offices(document())
    assert spec.code == "PLG"
    assert spec.hotline == "+6282176190771"
    assert spec.days == ("mon", "tue", "wed", "thu", "fri")
    assert [(s.start, s.end, s.capacity) for s in spec.sessions] == [("08:00", "10:00", 50), ("13:00", "15:00", 50)]
    assert spec.closed == (dt.date(2026, 12, 10), dt.date(2026, 12, 11))


def test_parse_fills_in_the_defaults() -> None:
    """Timezone Asia/Jakarta, Monday to Friday, 30 days ahead, nothing closed."""
    (spec,) = parse_offices(document(jakarta()))
    assert (spec.timezone, spec.days, spec.book_ahead_days, spec.closed, spec.address) == (
        "Asia/Jakarta",
        ("mon", "tue", "wed", "thu", "fri"),
        30,
        (),
        None,
    )


@pytest.mark.parametrize(
    "doc, expected",
    [
        pytest.param(document(palembang(code=None)), ["office #1", "code", "None"], id="missing code"),
        pytest.param(document(palembang(code="plg")), ["office #1", "code", "'plg'"], id="lowercase code"),
        pytest.param(document(palembang(code="PALEMB")), ["office #1", "code", "'PALEMB'"], id="code too long"),
        pytest.param(document(palembang(name="  ")), ["office PLG", "name"], id="blank name"),
        pytest.param(document(palembang(hotline="12345")), ["office PLG", "hotline", "'12345'"], id="bad hotline"),
        pytest.param(document(palembang(hotline=None)), ["office PLG", "hotline"], id="missing hotline"),
        pytest.param(
            document(palembang(timezone="Asia/Palembang")),
            ["office PLG", "timezone", "Asia/Palembang"],
            id="unknown timezone",
        ),
        pytest.param(document(palembang(days=["senin", "selasa"])), ["office PLG", "days"], id="bad day name"),
        pytest.param(document(palembang(days=[])), ["office PLG", "days"], id="no days"),
        pytest.param(document(palembang(book_ahead_days=0)), ["office PLG", "book_ahead_days"], id="no days ahead"),
        pytest.param(document(palembang(address=42)), ["office PLG", "address"], id="address not text"),
        pytest.param(
            document(palembang(sessions=[{"start": "8:00", "end": "10:00", "capacity": 5}])),
            ["office PLG session #1", "start", "'8:00'"],
            id="bad time",
        ),
        pytest.param(
            document(palembang(sessions=[{"start": "08:00", "end": "24:00", "capacity": 5}])),
            ["office PLG session #1", "end", "'24:00'"],
            id="bad end time",
        ),
        pytest.param(
            document(palembang(sessions=[{"start": "10:00", "end": "08:00", "capacity": 5}])),
            ["office PLG session #1", "end 08:00", "start 10:00"],
            id="end before start",
        ),
        pytest.param(
            document(palembang(sessions=[{"start": "10:00", "end": "10:00", "capacity": 5}])),
            ["office PLG session #1", "after"],
            id="end equals start",
        ),
        pytest.param(
            document(
                palembang(
                    sessions=[
                        {"start": "08:00", "end": "10:00", "capacity": 5},
                        {"start": "09:30", "end": "11:00", "capacity": 5},
                    ]
                )
            ),
            ["office PLG", "08:00-10:00", "09:30-11:00", "overlap"],
            id="overlapping sessions",
        ),
        pytest.param(
            document(palembang(sessions=[{"start": "08:00", "end": "10:00", "capacity": -1}])),
            ["office PLG session #1", "capacity"],
            id="negative capacity",
        ),
        pytest.param(
            document(palembang(sessions=[{"start": "08:00", "end": "10:00", "capacity": "50"}])),
            ["office PLG session #1", "capacity"],
            id="capacity as text",
        ),
        pytest.param(
            document(palembang(sessions=[{"start": "08:00", "end": "10:00"}])),
            ["office PLG session #1", "capacity"],
            id="missing capacity",
        ),
        pytest.param(document(palembang(sessions=[])), ["office PLG", "sessions"], id="no sessions"),
        pytest.param(
            document(palembang(closed=["2026-13-01"])), ["office PLG", "closed", "'2026-13-01'"], id="bad closed date"
        ),
        pytest.param(
            document(palembang(closed=["31-12-2026"])),
            ["office PLG", "closed", "'31-12-2026'"],
            id="closed date day first",
        ),
        pytest.param(
            document(palembang(closed=[dt.datetime(2026, 12, 31, 0, 0)])),
            ["office PLG", "closed", "2026"],
            id="closed date with a time",
        ),
        pytest.param(document(palembang(), jakarta(code="PLG")), ["PLG", "code"], id="two offices, one code"),
        pytest.param(
            document(palembang(), jakarta(hotline="082176190771")),
            ["+6282176190771", "hotline"],
            id="two offices, one hotline",
        ),
        pytest.param(document(palembang(), "JKS"), ["office #2", "table"], id="office not a table"),
        pytest.param({"office": palembang()}, ["[[office]]"], id="office not a list"),
        pytest.param({"office": []}, ["[[office]]"], id="empty list"),
        pytest.param({}, ["[[office]]"], id="no office at all"),
    ],
)
def test_bad_office_files_are_refused_with_where_and_why(doc: dict[str, Any], expected: list[str]) -> None:
    """Each mistake raises OfficeFileError naming the office (or session) and the problem."""
    with pytest.raises(OfficeFileError) as error:
        parse_offices(doc)
    for fragment in expected:
        assert fragment in str(error.value), (fragment, str(error.value))


# --- loading --------------------------------------------------------------------------------


def test_loading_the_same_file_twice_changes_nothing(empty: Database) -> None:
    """First load creates the office; the same file again reports unchanged and keeps the rows."""
    assert load(empty, document()) == [("PLG", "created")]
    first = stored(empty)
    assert load(empty, document()) == [("PLG", "unchanged")]
    assert stored(empty) == first
    assert first == {
        "name": "Kantor Imigrasi Kelas I Palembang",
        "hotline": "+6282176190771",
        "days": "mon,tue,wed,thu,fri",
        "sessions": [("08:00", "10:00", 50, True), ("13:00", "15:00", 50, True)],
        "closed": [dt.date(2026, 12, 10), dt.date(2026, 12, 11)],
    }


def test_changing_a_capacity_updates_the_office(empty: Database) -> None:
    """A new capacity is an update, and the session row keeps its id (bookings point at it)."""
    load(empty, document())
    sessions = [{"start": "08:00", "end": "10:00", "capacity": 40}, {"start": "13:00", "end": "15:00", "capacity": 50}]
    with empty.transaction() as session:
        before = session.scalar(select(OfficeSession.id).where(OfficeSession.start == "08:00"))

    assert load(empty, document(palembang(sessions=sessions))) == [("PLG", "updated")]

    assert stored(empty)["sessions"] == [("08:00", "10:00", 40, True), ("13:00", "15:00", 50, True)]
    with empty.transaction() as session:
        assert session.scalar(select(OfficeSession.id).where(OfficeSession.start == "08:00")) == before
    assert load(empty, document(palembang(sessions=sessions))) == [("PLG", "unchanged")]


def test_a_session_removed_from_the_file_becomes_inactive(empty: Database) -> None:
    """The row stays for its bookings but stops taking new ones; putting it back revives it."""
    load(empty, document())
    afternoon_only = [{"start": "13:00", "end": "15:00", "capacity": 50}]

    assert load(empty, document(palembang(sessions=afternoon_only))) == [("PLG", "updated")]
    assert stored(empty)["sessions"] == [("08:00", "10:00", 50, False), ("13:00", "15:00", 50, True)]
    assert load(empty, document(palembang(sessions=afternoon_only))) == [("PLG", "unchanged")]

    assert load(empty, document()) == [("PLG", "updated")]
    assert stored(empty)["sessions"] == [("08:00", "10:00", 50, True), ("13:00", "15:00", 50, True)]


def test_closed_dates_are_replaced_on_reload(empty: Database) -> None:
    """The file's closed dates become exactly the new list; dates closed another way stay."""
    load(empty, document())
    with empty.transaction() as session:
        office_id = session.scalar(select(Office.id).where(Office.code == "PLG"))
        session.add(ClosedDate(office_id=office_id, date=dt.date(2026, 12, 21), reason="Banjir", source="officer"))

    result = load(empty, document(palembang(closed=["2026-12-11", "2026-12-14"])))

    assert result == [("PLG", "updated")]
    assert stored(empty)["closed"] == [dt.date(2026, 12, 11), dt.date(2026, 12, 14), dt.date(2026, 12, 21)]
    assert load(empty, document(palembang(closed=None))) == [("PLG", "updated")]
    assert stored(empty)["closed"] == [dt.date(2026, 12, 21)]


def test_other_fields_update_in_place(empty: Database) -> None:
    """Name, hotline and days change on the same office row."""
    load(empty, document())
    changed = palembang(name="Kantor Imigrasi Palembang", hotline="+62711410333", days=["mon", "wed"])
    assert load(empty, document(changed)) == [("PLG", "updated")]
    after = stored(empty)
    assert (after["name"], after["hotline"], after["days"]) == ("Kantor Imigrasi Palembang", "+62711410333", "mon,wed")
    with empty.transaction() as session:
        assert len(session.scalars(select(Office)).all()) == 1


def test_several_offices_load_together(empty: Database) -> None:
    """Each office of the file is reported on its own."""
    assert load(empty, document(palembang(), jakarta())) == [("PLG", "created"), ("JKS", "created")]
    assert load(empty, document(palembang(), jakarta(name="Kanim Jaksel"))) == [
        ("PLG", "unchanged"),
        ("JKS", "updated"),
    ]


def test_a_hotline_already_used_by_another_office_is_refused_and_nothing_is_written(empty: Database) -> None:
    """A clash found while loading rolls back the offices loaded before it in the same file."""
    load(empty, document())
    before = stored(empty)
    bad = document(jakarta(), jakarta(code="MKS", name="Kantor Imigrasi Makassar", hotline="+6282176190771"))

    with pytest.raises(OfficeFileError) as error:
        load(empty, bad)

    assert "office MKS" in str(error.value) and "PLG" in str(error.value) and "+6282176190771" in str(error.value)
    assert stored(empty, "JKS") == {}  # created first in that file, then rolled back with it
    assert stored(empty, "MKS") == {}
    assert stored(empty) == before


def test_a_bad_file_leaves_the_loaded_offices_as_they_were(empty: Database) -> None:
    """A file that fails its checks, loaded in a transaction, writes nothing at all."""
    load(empty, document())
    before = stored(empty)
    new_capacity = [{"start": "08:00", "end": "10:00", "capacity": 10}]
    bad = document(palembang(sessions=new_capacity), jakarta(timezone="Mars/Olympus"))

    with pytest.raises(OfficeFileError, match="office JKS: unknown timezone"):
        load(empty, bad)

    assert stored(empty) == before
    assert stored(empty, "JKS") == {}


# --- canned replies --------------------------------------------------------------------------

CANNED = [
    {"title": "Datang lebih pagi", "body": "Booking {code} tetap {date}. Silakan datang 15 menit lebih awal."},
    {"title": "Come early", "body": "Your booking {code} stays on {date}.", "language": "en"},
]


def canned_of(db: Database) -> list[tuple[str, str, str]]:
    from storage.models import CannedReply

    with db.transaction() as session:
        return sorted((c.title, c.language, c.body) for c in session.scalars(select(CannedReply)))


def test_canned_replies_come_from_the_office_file_and_follow_it_on_reload(empty: Database) -> None:
    assert load(empty, document(palembang(canned_replies=CANNED))) == [("PLG", "created")]
    assert [(t, lang) for t, lang, _ in canned_of(empty)] == [("Come early", "en"), ("Datang lebih pagi", "id")]
    assert load(empty, document(palembang(canned_replies=CANNED))) == [("PLG", "unchanged")]
    assert load(empty, document(palembang(canned_replies=CANNED[:1]))) == [("PLG", "updated")]
    assert [t for t, _, _ in canned_of(empty)] == ["Datang lebih pagi"]


@pytest.mark.parametrize(
    "canned, expected",
    [
        pytest.param([{"title": "", "body": "x"}], "title", id="no title"),
        pytest.param([{"title": "x"}], "body", id="no body"),
        pytest.param([{"title": "x", "body": "y", "language": "fr"}], "language", id="unknown language"),
        pytest.param([{"title": "x", "body": "y"}, {"title": "x", "body": "z"}], "twice", id="same title twice"),
        pytest.param("not a list", "canned_replies", id="not a list"),
    ],
)
def test_bad_canned_replies_are_refused(canned: Any, expected: str) -> None:
    with pytest.raises(OfficeFileError, match=expected):
        parse_offices(document(palembang(canned_replies=canned)))


# --- questions, fees, hours and the map link ---------------------------------------------------

FAQ = [
    {
        "key": "hours",
        "keywords_id": ["jam buka"],
        "keywords_en": ["opening hours"],
        "id": "Jam layanan: {hours}.",
        "en": "Office hours: {hours}.",
    },
    {"key": "parking", "keywords": ["parkir|parking"], "id": "Parkir di {address}.", "en": "Parking at {address}."},
]
FEES = [
    {
        "key": "ordinary",
        "label_id": "Biasa",
        "label_en": "Ordinary",
        "amount": 350_000,
        "effective": dt.date(2019, 6, 1),
    },
    {
        "key": "ordinary",
        "label_id": "Biasa 5 th",
        "label_en": "Ordinary 5 yr",
        "amount": 350_000,
        "effective": dt.date(2024, 12, 17),
    },
]
HOURS = {"mon": "07:30-15:00", "fri": "07:30-11:00,13:00-15:00"}
MAP = "https://maps.google.com/?q=Kantor+Imigrasi+Palembang"


def with_extras(**changes: Any) -> dict[str, Any]:
    """Return Palembang with an faq, fees, hours and a map link (changed or removed with None)."""
    extras: dict[str, Any] = {
        "faq": copy.deepcopy(FAQ),
        "fees": copy.deepcopy(FEES),
        "hours": dict(HOURS),
        "map_url": MAP,
    }
    extras.update(changes)
    return palembang(**extras)


def answers_of(db: Database, code: str = "PLG") -> tuple[Any, Any, Any, str | None]:

    with db.transaction() as session:
        office = session.scalar(select(Office).where(Office.code == code))
        assert office is not None
        return (
            office_questions(session, office),
            office_fees(session, office),
            office_hours(session, office),
            office.map_url,
        )


def test_parse_reads_questions_fees_hours_and_the_map_link() -> None:
    (spec,) = parse_offices(document(with_extras()))

    assert spec.faq == (
        Question(
            "hours", ("jam buka", "opening hours"), {"id": "Jam layanan: {hours}.", "en": "Office hours: {hours}."}
        ),
        Question("parking", ("parkir|parking",), {"id": "Parkir di {address}.", "en": "Parking at {address}."}),
    )
    assert spec.fees == (
        Fee("ordinary", {"id": "Biasa", "en": "Ordinary"}, 350_000, dt.date(2019, 6, 1)),
        Fee("ordinary", {"id": "Biasa 5 th", "en": "Ordinary 5 yr"}, 350_000, dt.date(2024, 12, 17)),
    )
    assert spec.hours == parse_hours(HOURS)
    assert spec.map_url == MAP


def test_the_default_office_file_writes_out_the_default_answers() -> None:
    """default.toml spells out what an office without faq, fees or hours gets: the two stay equal."""

    (spec,) = default_office_specs()

    assert [(q.key, sorted(q.keywords), q.texts) for q in spec.faq] == [
        (q.key, sorted(q.keywords), dict(q.texts)) for q in DEFAULT_QUESTIONS
    ]
    assert spec.fees == DEFAULT_FEES
    assert spec.hours == DEFAULT_HOURS
    assert spec.map_url is not None and spec.map_url.startswith("https://maps.google.com/?q=")


FAQ_ENTRY = {"key": "parking", "keywords": ["parkir"], "id": "Parkir.", "en": "Parking."}
FEE_ENTRY = {"key": "ordinary", "label_id": "Biasa", "label_en": "Ordinary", "amount": 1, "effective": "2024-12-17"}


def faq(**changes: Any) -> list[dict[str, Any]]:
    entry = dict(FAQ_ENTRY)
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return [entry]


def fee(**changes: Any) -> list[dict[str, Any]]:
    entry = dict(FEE_ENTRY)
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return [entry]


@pytest.mark.parametrize(
    "changes, expected",
    [
        # [[office.faq]]
        pytest.param({"faq": faq(keyword=["x"])}, ["office PLG faq #1", "unknown key 'keyword'"], id="faq unknown key"),
        pytest.param({"faq": faq(key=None)}, ["office PLG faq #1", "key"], id="faq without key"),
        pytest.param({"faq": faq(key="Parkir!")}, ["office PLG faq #1", "'Parkir!'"], id="faq bad key"),
        pytest.param({"faq": faq(keywords=None)}, ["office PLG faq parking", "keywords"], id="faq without keywords"),
        pytest.param(
            {"faq": faq(keywords="parkir")},
            ["office PLG faq parking", "keywords must be a list"],
            id="faq keywords text",
        ),
        pytest.param(
            {"faq": faq(keywords_en=["parking", 3])},
            ["office PLG faq parking", "keywords_en"],
            id="faq keyword not text",
        ),
        pytest.param(
            {"faq": faq(keywords=["parkir +"])}, ["office PLG faq parking", "'parkir +'"], id="faq empty part"
        ),
        pytest.param({"faq": faq(en=None)}, ["office PLG faq parking", "en must be text"], id="faq without en"),
        pytest.param({"faq": faq(id="  ")}, ["office PLG faq parking", "id must be text"], id="faq blank id"),
        pytest.param(
            {"faq": faq(id="Parkir di {alamat}.")},
            ["office PLG faq parking", "id", "{alamat}"],
            id="faq unknown placeholder",
        ),
        pytest.param({"faq": faq(en="Parking {map")}, ["office PLG faq parking", "en", "brace"], id="faq stray brace"),
        pytest.param({"faq": faq() + faq()}, ["office PLG", "faq keys given twice", "parking"], id="faq key twice"),
        pytest.param({"faq": {"key": "x"}}, ["office PLG", "faq must be a list"], id="faq not a list"),
        pytest.param({"faq": ["parkir"]}, ["office PLG faq #1", "table"], id="faq entry not a table"),
        # [[office.fees]]
        pytest.param({"fees": fee(price=1)}, ["office PLG fee #1", "unknown key 'price'"], id="fee unknown key"),
        pytest.param({"fees": fee(key=None)}, ["office PLG fee #1", "key"], id="fee without key"),
        pytest.param({"fees": fee(label_en=None)}, ["office PLG fee ordinary", "label_en"], id="fee without label_en"),
        pytest.param({"fees": fee(amount=-1)}, ["office PLG fee ordinary", "amount"], id="fee negative"),
        pytest.param({"fees": fee(amount="350000")}, ["office PLG fee ordinary", "amount"], id="fee amount text"),
        pytest.param({"fees": fee(amount=True)}, ["office PLG fee ordinary", "amount"], id="fee amount bool"),
        pytest.param({"fees": fee(effective=None)}, ["office PLG fee ordinary", "effective"], id="fee without date"),
        pytest.param(
            {"fees": fee(effective="17-12-2024")}, ["office PLG fee ordinary", "'17-12-2024'"], id="fee date day first"
        ),
        pytest.param(
            {"fees": fee(effective=dt.datetime(2024, 12, 17, 0, 0))},
            ["office PLG fee ordinary", "effective"],
            id="fee date-time",
        ),
        pytest.param({"fees": fee() + fee()}, ["office PLG", "twice", "ordinary 2024-12-17"], id="fee twice"),
        pytest.param({"fees": "350000"}, ["office PLG", "fees must be a list"], id="fees not a list"),
        # [office.hours]
        pytest.param(
            {"hours": {"senin": "08:00-16:00"}}, ["office PLG", "hours", "unknown key 'senin'"], id="hours unknown day"
        ),
        pytest.param({"hours": {"mon": "8-16"}}, ["office PLG", "hours", "mon", "'8-16'"], id="hours bad range"),
        pytest.param(
            {"hours": {"fri": "08:00-12:00,11:30-16:00"}},
            ["office PLG", "hours", "fri", "overlapping"],
            id="hours overlap",
        ),
        pytest.param(
            {"hours": {"mon": ["08:00-16:00"]}}, ["office PLG", "hours", "mon must be text"], id="hours not text"
        ),
        pytest.param({"hours": "08:00-16:00"}, ["office PLG", "hours must be a table"], id="hours not a table"),
        pytest.param({"hours": {"sat": "closed"}}, ["office PLG", "hours open on no day"], id="hours never open"),
        # map_url
        pytest.param({"map_url": "http://maps.google.com/?q=x"}, ["office PLG", "map_url"], id="map not https"),
        pytest.param({"map_url": "https://maps.google.com/?q=a b"}, ["office PLG", "map_url"], id="map with a space"),
        pytest.param({"map_url": 42}, ["office PLG", "map_url"], id="map not text"),
    ],
)
def test_bad_questions_fees_and_hours_are_refused_with_where_and_why(
    changes: dict[str, Any], expected: list[str]
) -> None:
    with pytest.raises(OfficeFileError) as error:
        parse_offices(document(palembang(**changes)))
    for fragment in expected:
        assert fragment in str(error.value), (fragment, str(error.value))


def test_an_office_without_faq_fees_or_hours_gets_the_defaults(empty: Database) -> None:
    load(empty, document(palembang(), jakarta()))

    for code in ("PLG", "JKS"):
        assert answers_of(empty, code) == (DEFAULT_QUESTIONS, DEFAULT_FEES, DEFAULT_HOURS, None)


def test_questions_fees_and_hours_come_from_the_file_and_load_twice_unchanged(empty: Database) -> None:
    assert load(empty, document(with_extras())) == [("PLG", "created")]
    first = answers_of(empty)
    (spec,) = parse_offices(document(with_extras()))
    assert first == (spec.faq, spec.fees, parse_hours(HOURS), MAP)

    assert load(empty, document(with_extras())) == [("PLG", "unchanged")]
    assert answers_of(empty) == first


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"faq": [dict(FAQ[0], en="Open: {hours}.")] + FAQ[1:]}, id="an answer's text"),
        pytest.param({"faq": [dict(FAQ[0], keywords=["buka"])] + FAQ[1:]}, id="a keyword"),
        pytest.param({"faq": FAQ[::-1]}, id="the order"),
        pytest.param({"faq": FAQ[:1]}, id="a question dropped"),
        pytest.param({"faq": FAQ + [FAQ_ENTRY | {"key": "toilet"}]}, id="a question added"),
        pytest.param({"fees": [dict(FEES[0], amount=300_000)] + FEES[1:]}, id="an amount"),
        pytest.param({"fees": FEES + [dict(FEES[1], effective=dt.date(2027, 1, 1), amount=400_000)]}, id="a new fee"),
        pytest.param({"fees": FEES[1:]}, id="a fee dropped"),
        pytest.param({"hours": {"mon": "08:00-16:00"}}, id="the hours"),
        pytest.param({"map_url": "https://maps.google.com/?q=Palembang"}, id="the map link"),
    ],
)
def test_a_changed_file_updates_what_the_office_answers(empty: Database, changes: dict[str, Any]) -> None:
    load(empty, document(with_extras()))

    assert load(empty, document(with_extras(**changes))) == [("PLG", "updated")]

    (spec,) = parse_offices(document(with_extras(**changes)))
    assert answers_of(empty) == (spec.faq, spec.fees, spec.hours, spec.map_url)
    assert load(empty, document(with_extras(**changes))) == [("PLG", "unchanged")]


def test_removing_them_from_the_file_brings_the_defaults_back(empty: Database) -> None:
    load(empty, document(with_extras()))

    assert load(empty, document(palembang())) == [("PLG", "updated")]

    assert answers_of(empty) == (DEFAULT_QUESTIONS, DEFAULT_FEES, DEFAULT_HOURS, None)
    with empty.transaction() as session:
        assert session.scalars(select(OfficeQuestion)).all() == []
        assert session.scalars(select(OfficeFee)).all() == []


def test_the_default_office_answers_from_its_file(db: Database) -> None:
    """The fixture's office is default.toml's: its stored answers are the file's, found by the matcher."""
    questions, fees, hours, map_url = answers_of(db)

    assert [q.key for q in questions][:3] == ["fees", "hours", "address"]
    assert fees == DEFAULT_FEES
    assert fees_text(fees, "id", dt.date(2026, 12, 1)).startswith("Biasa 5 th Rp350.000")
    assert hours_text(hours, "en") == "Mon-Thu 08:00-16:00, Fri 08:00-11:30 & 13:30-16:00, Sat-Sun closed"
    assert map_url == "https://maps.google.com/?q=Jl.+Parameswara+No.+1+Palembang"
    found = find_question("saya mau tanya syarat perpanjang paspor untuk anak di bawah umur", questions)
    assert found is not None and found.key == "children"


@pytest.mark.parametrize(
    "entry, expected",
    [
        pytest.param(palembang(book_ahed_days=5), ["office PLG", "'book_ahed_days'", "'book_ahead_days'"], id="office"),
        pytest.param(
            palembang(sessions=[{"start": "08:00", "end": "10:00", "capacty": 1}]),
            ["office PLG session #1", "'capacty'", "'capacity'"],
            id="session",
        ),
        pytest.param(
            palembang(canned_replies=[{"title": "T", "body": "B", "lang": "en"}]),
            ["office PLG canned reply #1", "'lang'", "'language'"],
            id="canned reply",
        ),
        pytest.param(
            palembang(colour="blue"), ["office PLG", "unknown key 'colour'", "the keys are"], id="no near key"
        ),
    ],
)
def test_a_misspelt_key_is_refused_with_the_nearest_known_one(entry: dict[str, Any], expected: list[str]) -> None:
    # Read silently, book_ahed_days = 5 would leave 30 days and capacty = 1 a capacity of 50.
    with pytest.raises(OfficeFileError) as error:
        parse_offices(document(entry))
    for fragment in expected:
        assert fragment in str(error.value), (fragment, str(error.value))
    if "colour" in entry:
        assert "did you mean" not in str(error.value)
