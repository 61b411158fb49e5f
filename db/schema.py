"""The schema's version: `migrate` brings a database to Alembic's newest revision (the
migrate step, tests); `require_current_schema` lets a service refuse a database that is not
there yet, with a message that says what to run."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from db.engine import connect
from db.locks import one_at_a_time

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x4C6F74736521  # any fixed number of Lotse's own; PostgreSQL's advisory locks are keyed by it


class SchemaNotCurrent(RuntimeError):
    """The database is not at the schema this code needs."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def newest_revision() -> str:
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Upgrade to the newest revision. Replicas or steps starting at once on a new database
    would each create the tables: one migrates, the others wait and then find nothing to do."""
    config = _config()
    with engine.begin() as connection:
        one_at_a_time(connection, MIGRATION_LOCK)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_current(url: str | None) -> Engine:
    """An engine for a service: stops the process with SchemaNotCurrent's message (naming the
    database and what to run) unless the schema is current."""
    engine = connect(url)
    try:
        require_current_schema(engine)
    except SchemaNotCurrent as problem:
        engine.dispose()
        raise SystemExit(f"Lotse cannot start: {problem}") from None
    return engine


def require_current_schema(engine: Engine) -> None:
    """Raises SchemaNotCurrent unless the database is at the newest revision."""
    found, needed = current_revision(engine), newest_revision()
    if found != needed:
        where = engine.url.render_as_string(hide_password=True)
        raise SchemaNotCurrent(
            f"the database {where} is at schema revision {found or 'none (empty)'}, this version of Lotse "
            f"needs {needed}: run `python -m db migrate` (docker compose runs it as the migrate service)")
