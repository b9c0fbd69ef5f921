"""Alembic is the only way the schema changes: the migrations build it, and agree with the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import storage.models  # noqa: F401  (registers the tables)
from storage.base import NAMING_CONVENTION, Base
from storage.db import Database
from storage.migrate import alembic_config
from tests.conftest import fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty(request, tmp_path: Path) -> Iterator[Database]:
    """A database with nothing in it, not even alembic_version: a new SQLite file or PostgreSQL database."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield database
        database.dispose()
        return
    with fresh_postgres_database("hotline_migrate") as url:
        database = Database(url)
        yield database
        database.dispose()


def head() -> str:
    """Return the one head revision of the migrations."""
    heads = ScriptDirectory.from_config(alembic_config(sa.create_engine("sqlite://"))).get_heads()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    return heads[0]


def current(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def tables(db: Database) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def differences(db: Database, metadata: sa.MetaData = Base.metadata) -> list:
    """Return what autogenerate would write to make the database match the metadata."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, metadata)


def test_migrations_build_an_empty_database_to_head(empty: Database) -> None:
    """From nothing, upgrade creates every table of the models and records the head revision."""
    assert tables(empty) == set()
    empty.migrate()
    assert tables(empty) == set(Base.metadata.tables) | {"alembic_version"}
    assert current(empty) == head()


def test_upgrading_again_changes_nothing(empty: Database) -> None:
    """Running the migrations on a database already at head is harmless."""
    empty.migrate()
    empty.migrate()
    assert current(empty) == head()
    assert differences(empty) == []


def test_models_and_migrations_agree(empty: Database) -> None:
    """Autogenerate finds nothing to add, drop or alter: the models are what the migrations build.

    Nothing is ignored: types and server defaults are compared too.
    """
    empty.migrate()
    assert differences(empty) == []
    command.check(alembic_config(empty.engine))  # `alembic check`, through the project's env.py


def test_the_comparison_notices_a_model_the_migrations_lack(empty: Database) -> None:
    """The agreement above means something: a column or index missing from the migrations shows up."""
    empty.migrate()
    changed = sa.MetaData(naming_convention=NAMING_CONVENTION)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["bookings"].append_column(sa.Column("officer_note", sa.Text(), nullable=True))
    sa.Index("ix_offices_name", changed.tables["offices"].c.name)

    found = {(diff[0], getattr(diff[-1], "name", None)) for diff in differences(empty, changed)}

    assert ("add_column", "officer_note") in found
    assert ("add_index", "ix_offices_name") in found


def test_check_constraints_and_the_partial_nik_index_are_built(empty: Database) -> None:
    """What autogenerate does not compare (CHECKs, an index's WHERE), checked by reflection instead."""
    empty.migrate()
    inspector = sa.inspect(empty.engine)
    for table in Base.metadata.sorted_tables:
        # The naming convention has already turned name="status" into ck_bookings_status.
        wanted = {str(c.name) for c in table.constraints if isinstance(c, sa.CheckConstraint)}
        assert {c["name"] for c in inspector.get_check_constraints(table.name)} == wanted, table.name

    (nik_index,) = [i for i in inspector.get_indexes("bookings") if i["name"] == "uq_bookings_office_nik_active"]
    assert nik_index["unique"] and nik_index["column_names"] == ["office_id", "nik"]
    where = str(nik_index["dialect_options"][f"{empty.engine.dialect.name}_where"])
    for word in ("held", "booked", "confirmed", "nik IS NOT NULL"):
        assert word in where, where


def test_downgrade_to_nothing_and_back(empty: Database) -> None:
    """The migrations can be undone to an empty schema and applied again."""
    empty.migrate()
    command.downgrade(alembic_config(empty.engine), "base")
    assert tables(empty) == {"alembic_version"}
    assert current(empty) is None
    empty.migrate()
    assert current(empty) == head()
    assert differences(empty) == []
