"""Alembic, driven from code: the only way the schema changes."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config that migrates the given engine's database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to the revision."""
    command.upgrade(alembic_config(engine), revision)


@functools.cache
def _heads() -> frozenset[str]:
    """Return the newest revisions this code has migrations for (read once a process)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def schema_is_current(connection: Connection) -> bool:
    """Tell whether the database has every migration of this code (`hotline init` applies them)."""
    return set(MigrationContext.configure(connection).get_current_heads()) == _heads()
