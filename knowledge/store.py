"""The knowledge store: the entries as the bot reads them, in SQLite (default, under var/)
or PostgreSQL (`DATABASE_URL`). The schema is Alembic's (knowledge/migrations); `sync`
replaces the stored entries with the YAML files in one transaction, so a bad file or a
failure half-way leaves the previous entries in place."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, Column, DateTime, Integer, String, create_engine, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, declarative_base

from knowledge.entry import ServiceEntry
from knowledge.validation import entry_from_document, load_documents

PROJECT_ROOT = Path(__file__).resolve().parent.parent
Base = declarative_base()


class EntryRow(Base):
    __tablename__ = "knowledge_entries"

    id = Column(String(120), primary_key=True)
    status = Column(String(20), nullable=False, index=True)
    document = Column(JSON, nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)


class SyncRow(Base):
    """One successful sync; the newest row tells readers whether to reload."""

    __tablename__ = "knowledge_syncs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    synced_at = Column(DateTime(timezone=True), nullable=False)
    entry_count = Column(Integer, nullable=False)


def database_url() -> str:
    default = PROJECT_ROOT / "var" / "lotse.db"
    return os.environ.get("DATABASE_URL") or f"sqlite:///{default}"


SQLITE_WAIT_SECONDS = 30  # how long a process waits for another's write (pysqlite's default: 5)
# A server that does not answer, or a statement stuck behind a lock, fails instead of hanging
# its caller forever: the caller's retry (the adapter's loops, Rasa's next message) heals it.
POSTGRES_CONNECT_SECONDS = 5
POSTGRES_STATEMENT_MILLISECONDS = 15_000
MIGRATION_LOCK = 0x4C6F74736521  # any fixed number of Lotse's own; PostgreSQL's advisory locks are keyed by it


def open_store(url: str | None = None) -> Engine:
    """An engine on a database migrated to the newest schema."""
    url = url or database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: a failed statement's error would show the values, e.g. a stored Telegram update
    engine = create_engine(url, future=True, hide_parameters=True, **({"connect_args": {"timeout": SQLITE_WAIT_SECONDS}}
                                                 if url.startswith("sqlite") else _server_settings(url)))
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        # Processes opening a new database at once (replicas, or the action server and the
        # adapter of `make run`) would each create the tables: one migrates, the others wait.
        one_at_a_time(connection, MIGRATION_LOCK)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return engine


def _server_settings(url: str) -> dict[str, Any]:
    """Connections tested before use (a server's can drop: a restart, a failover), with the
    timeouts above added to any `options` the URL carries (a schema's search path)."""
    options = make_url(url).query.get("options", "")
    return {"pool_pre_ping": True, "connect_args": {
        "connect_timeout": POSTGRES_CONNECT_SECONDS,
        "options": f"{options} -c statement_timeout={POSTGRES_STATEMENT_MILLISECONDS}".strip()}}


def one_at_a_time(connection: Connection, lock: int) -> None:
    """Serialises a transaction against others taking the same `lock` on this database, in
    any process: a PostgreSQL advisory lock held until the transaction ends; on SQLite the
    database's write lock (pysqlite does not open a transaction before DDL by itself)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL statement_timeout = 0"))  # waiting for the other is the point
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache(maxsize=1)
def default_store() -> Engine:
    """The store of this process (DATABASE_URL, default SQLite under var/), opened once."""
    return open_store()


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    removed: int
    unchanged: int


def _json_ready(value: Any) -> Any:
    """Dates as ISO text, so that a stored document reads back exactly as validated."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


def sync(engine: Engine, directory: Path) -> SyncResult:
    """Make the store hold exactly the entries of `directory` (validated first: one bad
    file raises InvalidEntries and nothing is written). Running it twice changes nothing."""
    documents = {entry.id: (entry, _json_ready(document)) for entry, document in load_documents(directory)}
    now = datetime.now(timezone.utc)
    added = updated = unchanged = 0
    with Session(engine) as session, session.begin():
        stored = {row.id: row for row in session.scalars(select(EntryRow))}
        for entry_id, (entry, document) in documents.items():
            row = stored.pop(entry_id, None)
            if row is None:
                session.add(EntryRow(id=entry_id, status=entry.status, document=document, updated_at=now))
                added += 1
            elif row.document != document or row.status != entry.status:
                row.document, row.status, row.updated_at = document, entry.status, now
                updated += 1
            else:
                unchanged += 1
        for row in stored.values():
            session.delete(row)
        session.add(SyncRow(synced_at=now, entry_count=len(documents)))
    return SyncResult(added, updated, len(stored), unchanged)


def load_stored_entries(engine: Engine, status: str | None = "published") -> list[ServiceEntry]:
    """The stored entries (by default the published ones), read back through the validator."""
    query = select(EntryRow).order_by(EntryRow.id)
    if status is not None:
        query = query.where(EntryRow.status == status)
    with Session(engine) as session:
        return [entry_from_document(row.document, f"store:{row.id}") for row in session.scalars(query)]


def last_sync(engine: Engine) -> datetime | None:
    with Session(engine) as session:
        return session.scalar(select(SyncRow.synced_at).order_by(SyncRow.id.desc()).limit(1))
