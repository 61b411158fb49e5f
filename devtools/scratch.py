"""Throw-away stores for one run of a benchmark or a test, on the machine's PostgreSQL
(127.0.0.1:5432, trust auth, database `test`) or a SQLite file."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.engine import connect
from db.schema import migrate

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def migrated(url: str) -> Engine:
    """An engine on `url` brought to the newest schema, as the migrate step would."""
    engine = connect(url)
    migrate(engine)
    return engine


@contextmanager
def scratch_store(url: str):
    """A store of its own for one run: a fresh SQLite file, or a throw-away PostgreSQL schema."""
    if not url.startswith("postgresql"):
        yield url
        return
    schema = f"lotse_scratch_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, future=True)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def scratch_database(server_url: str, prefix: str):
    """A PostgreSQL database of its own for one run, dropped afterwards (for what needs a whole
    database, like Rasa's tracker store): yields its name and its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield name, sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
