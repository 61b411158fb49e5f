"""Alembic environment for Lotse's database. `db.migrate` runs it on its own connection; the
`alembic` command (alembic.ini) uses `sqlalchemy.url` or DATABASE_URL. Revisions are written by
hand; tests/db/test_migrations.py checks that they build exactly the tables of the models, so
this file needs no model (the database package depends on nothing above it)."""

from alembic import context

from configuration import Environment, SharedSettings
from db.engine import connect
from db.locks import one_at_a_time
from db.schema import MIGRATION_LOCK

connection = context.config.attributes.get("connection")

if connection is None:
    configured = SharedSettings.from_environment(Environment()).database_url
    with connect(context.config.get_main_option("sqlalchemy.url") or configured).begin() as connection:
        one_at_a_time(connection, MIGRATION_LOCK)  # as db.migrate does: replicas may start meanwhile
        context.configure(connection=connection)
        context.run_migrations()
else:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
