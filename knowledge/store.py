"""The knowledge store: the entries as the bot reads them, in SQLite (default, under var/)
or PostgreSQL (`DATABASE_URL`). The schema is the database package's (db/); `sync`
replaces the stored entries with the YAML files in one transaction, so a bad file or a
failure half-way leaves the previous entries in place."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from db import Base
from knowledge.entry import ServiceEntry
from knowledge.validation import entry_from_document, load_documents

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    removed: int
    unchanged: int


def _json_ready(value: Any) -> Any:
    """Dates as ISO text, so that a stored document reads back exactly as validated."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


def sync(engine: Engine, directory: Path, districts: Sequence[str]) -> SyncResult:
    """Make the store hold exactly the entries of `directory` (validated first, a district
    one of the city's `districts`: one bad file raises InvalidEntries and nothing is
    written). Running it twice changes nothing."""
    documents = {entry.id: (entry, _json_ready(document)) for entry, document in load_documents(directory, districts)}
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
