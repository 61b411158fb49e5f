"""A lock that serialises transactions across processes (replicas, the migrate step, the
nightly retention job)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection


def one_at_a_time(connection: Connection, lock: int) -> None:
    """Serialises a transaction against others taking the same `lock` on this database, in
    any process: a PostgreSQL advisory lock held until the transaction ends; on SQLite the
    database's write lock (pysqlite does not open a transaction before DDL by itself)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL statement_timeout = 0"))  # waiting for the other is the point
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
