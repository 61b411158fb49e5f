"""The knowledge store: the entries as the bot reads them, in SQLite (default, under var/)
or PostgreSQL (`DATABASE_URL`), and every revision of them. The schema is the database
package's (db/); `sync` brings the stored entries to the YAML files in one transaction, so a
bad file or a failure half-way leaves the previous entries in place, and it never overwrites
what the workspace changed since."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session

from db import Base
from knowledge.entry import ServiceEntry
from knowledge.validation import entry_from_document, load_documents

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class EntryRow(Base):
    __tablename__ = "knowledge_entries"

    id = Column(String(120), primary_key=True)
    status = Column(String(20), nullable=False, index=True)
    document: Mapped[dict[str, Any]] = Column(JSON, nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)


class SyncRow(Base):
    """One successful sync; the newest row tells readers whether to reload."""

    __tablename__ = "knowledge_syncs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    synced_at = Column(DateTime(timezone=True), nullable=False)
    entry_count = Column(Integer, nullable=False)


IMPORT_AUTHOR = "import"  # the author of revisions `sync` makes from the YAML files


class RevisionState(str, Enum):
    DRAFT = "draft"  # saved in the workspace, not yet sent for review
    IN_REVIEW = "in_review"
    PUBLISHED = "published"  # approved by a reviewer: the live state
    REJECTED = "rejected"  # sent back with the reviewer's comment
    IMPORTED = "imported"  # from the YAML files by `sync`: the live state


OPEN = (RevisionState.DRAFT, RevisionState.IN_REVIEW, RevisionState.REJECTED)


class RevisionRow(Base):
    __tablename__ = "knowledge_revisions"

    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = Column(String(120), nullable=False, index=True)
    document: Mapped[dict[str, Any]] = Column(JSON, nullable=False)
    state: Mapped[str] = Column(String(20), nullable=False)
    author: Mapped[str] = Column(String(60), nullable=False)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False)
    comment = Column(Text, nullable=True)  # why, in the author's words
    minor: Mapped[bool] = Column(Boolean, nullable=False)  # a German change that leaves translations current
    reviewer = Column(String(60), nullable=True)
    reviewed_at = Column(DateTime(timezone=True), nullable=True)
    review_comment = Column(Text, nullable=True)


def _changed_in_workspace(session: Session) -> dict[str, RevisionState]:
    """Entries whose newest revision is the workspace's, with its state: `sync` must not
    overwrite them."""
    newest: dict[str, RevisionRow] = {}
    for row in session.scalars(select(RevisionRow).order_by(RevisionRow.id)):
        newest[row.entry_id] = row
    return {entry_id: RevisionState(row.state) for entry_id, row in newest.items() if row.author != IMPORT_AUTHOR}


def _record_import(session: Session, entry_id: str, document: dict[str, Any], now: datetime) -> None:
    session.add(RevisionRow(entry_id=entry_id, document=document, state=RevisionState.IMPORTED.value,
                            author=IMPORT_AUTHOR, created_at=now, minor=False))


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    removed: int
    unchanged: int
    kept: tuple[str, ...] = ()  # changed in the workspace since their last import: not overwritten


def _json_ready(value: Any) -> Any:
    """Dates as ISO text, so that a stored document reads back exactly as validated."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


def sync(engine: Engine, directory: Path, districts: Sequence[str]) -> SyncResult:
    """Bring the store to the entries of `directory` (validated first, a district one of the
    city's `districts`: one bad file raises InvalidEntries and nothing is written), each
    change recorded as an imported revision. An entry changed in the workspace since its last
    import is never overwritten or removed: it is kept and reported in `kept`. Running it twice
    changes nothing."""
    documents = {entry.id: (entry, _json_ready(document)) for entry, document in load_documents(directory, districts)}
    now = datetime.now(timezone.utc)
    added = updated = unchanged = removed = 0
    kept: list[str] = []
    with Session(engine) as session, session.begin():
        protected = _changed_in_workspace(session)
        stored = {row.id: row for row in session.scalars(select(EntryRow))}
        for entry_id, (entry, document) in documents.items():
            row = stored.pop(entry_id, None)
            if row is not None and row.document == document and row.status == entry.status:
                if protected.get(entry_id) is RevisionState.PUBLISHED:  # the files caught up (export --yaml)
                    _record_import(session, entry_id, document, now)
                unchanged += 1
            elif entry_id in protected:
                kept.append(entry_id)
            elif row is None:
                session.add(EntryRow(id=entry_id, status=entry.status, document=document, updated_at=now))
                _record_import(session, entry_id, document, now)
                added += 1
            else:
                row.document, row.status, row.updated_at = document, entry.status, now
                _record_import(session, entry_id, document, now)
                updated += 1
        for row in stored.values():
            if row.id in protected:
                kept.append(row.id)
            else:
                session.delete(row)
                removed += 1
        session.add(SyncRow(synced_at=now, entry_count=len(documents)))
    return SyncResult(added, updated, removed, unchanged, tuple(sorted(kept)))


def export_yaml(engine: Engine, directory: Path) -> int:
    """The live entries as YAML files, one per entry, keys in their stored order: for backups
    in git and for review by developers. Returns how many were written."""
    directory.mkdir(parents=True, exist_ok=True)
    with Session(engine) as session:
        rows = session.scalars(select(EntryRow).order_by(EntryRow.id)).all()
        for row in rows:
            (directory / f"{row.id}.yml").write_text(
                yaml.safe_dump(row.document, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
        return len(rows)


def load_stored_entries(engine: Engine, status: str | None = "published") -> list[ServiceEntry]:
    """The stored entries (by default the published ones), read back through the validator."""
    query = select(EntryRow).order_by(EntryRow.id)
    if status is not None:
        query = query.where(EntryRow.status == status)
    with Session(engine) as session:
        return [entry_from_document(row.document, f"store:{row.id}") for row in session.scalars(query)]


def newest_sync(engine: Engine) -> int | None:
    """The number of the newest sync or publication: readers reload when it changes (two
    changes may share a timestamp, never a number)."""
    with Session(engine) as session:
        return session.scalar(select(SyncRow.id).order_by(SyncRow.id.desc()).limit(1))


def last_sync(engine: Engine) -> datetime | None:
    with Session(engine) as session:
        return session.scalar(select(SyncRow.synced_at).order_by(SyncRow.id.desc()).limit(1))
