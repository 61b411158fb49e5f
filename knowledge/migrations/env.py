"""Alembic environment for Lotse's database. `knowledge.store.open_store` runs it on its
own connection; the `alembic` command uses `sqlalchemy.url` or DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine

from cases import store as _cases  # noqa: F401  (their tables belong to Base.metadata)
from knowledge import answers  # noqa: F401
from knowledge.store import MIGRATION_LOCK, Base, database_url, one_at_a_time
from retention import job as _retention  # noqa: F401

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")

if connection is None:
    url = context.config.get_main_option("sqlalchemy.url") or database_url()
    with create_engine(url, future=True).begin() as connection:
        one_at_a_time(connection, MIGRATION_LOCK)  # as open_store does: replicas may start meanwhile
        context.configure(connection=connection, target_metadata=target_metadata)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
