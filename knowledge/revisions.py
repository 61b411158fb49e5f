"""Every saved state of an entry is a revision: the workspace's drafts, what was sent for
review, what a reviewer published or rejected, and what `sync` imported from the YAML files.
The live state the bot reads stays in `knowledge_entries`; publishing a revision writes it
there and marks a new sync, so the bot picks it up without a restart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from db import as_utc
from knowledge.store import OPEN, EntryRow, RevisionRow, RevisionState, SyncRow
from knowledge.validation import Problem, check_document


@dataclass(frozen=True)
class Revision:
    id: int
    entry_id: str
    document: dict[str, Any]
    state: RevisionState
    author: str
    created_at: datetime
    comment: str | None
    minor: bool
    reviewer: str | None
    review_comment: str | None


class ReviewRefused(Exception):
    """A review step that may not happen; `key` names the phrase in texts/workspace.yml."""

    def __init__(self, key: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(key)
        self.key, self.problems = key, tuple(problems)


def _revision(row: RevisionRow) -> Revision:
    return Revision(row.id, row.entry_id, row.document, RevisionState(row.state), row.author, as_utc(row.created_at),
                    row.comment, row.minor, row.reviewer, row.review_comment)


def revisions_of(engine: Engine, entry_id: str) -> list[Revision]:
    """Newest first."""
    with Session(engine) as session:
        rows = session.scalars(select(RevisionRow).where(RevisionRow.entry_id == entry_id)
                               .order_by(RevisionRow.id.desc()))
        return [_revision(row) for row in rows]


def open_revision(engine: Engine, entry_id: str) -> Revision | None:
    """The newest revision when it is still being worked on (draft, in review, rejected)."""
    newest = next(iter(revisions_of(engine, entry_id)), None)
    return newest if newest is not None and newest.state in OPEN else None


def live_document(engine: Engine, entry_id: str) -> dict[str, Any] | None:
    with Session(engine) as session:
        row = session.get(EntryRow, entry_id)
        return row.document if row is not None else None


def save_draft(engine: Engine, entry_id: str, document: dict[str, Any], author: str, comment: str | None,
               minor: bool, now: datetime) -> Revision:
    """A new revision in the draft state; problems with the document do not stop a draft,
    only its publication."""
    with Session(engine) as session, session.begin():
        row = RevisionRow(entry_id=entry_id, document=document, state=RevisionState.DRAFT.value, author=author,
                          created_at=now, comment=comment or None, minor=minor)
        session.add(row)
        session.flush()
        return _revision(row)


def submit(engine: Engine, revision_id: int) -> Revision:
    with Session(engine) as session, session.begin():
        row = session.get(RevisionRow, revision_id)
        if row is None or row.state not in (RevisionState.DRAFT.value, RevisionState.REJECTED.value):
            raise ReviewRefused("not_submittable")
        row.state = RevisionState.IN_REVIEW.value
        return _revision(row)


def reject(engine: Engine, revision_id: int, reviewer: str, comment: str, now: datetime) -> Revision:
    with Session(engine) as session, session.begin():
        row = _in_review(session, revision_id)
        if not comment.strip():
            raise ReviewRefused("reason_required")
        row.state, row.reviewer, row.reviewed_at, row.review_comment = (
            RevisionState.REJECTED.value, reviewer, now, comment.strip())
        return _revision(row)


def approve(engine: Engine, revision_id: int, reviewer: str, now: datetime, districts: Sequence[str],
            four_eyes: bool = True) -> Revision:
    """Publishes the revision: it becomes the live entry the bot answers with (status
    published), once the knowledge base's own validation accepts it. With the four-eyes rule
    a reviewer cannot publish a change they took part in: any revision since the live one."""
    with Session(engine) as session, session.begin():
        row = _in_review(session, revision_id)
        if four_eyes and reviewer in _authors_since_live(session, row.entry_id):
            raise ReviewRefused("four_eyes")
        # a draft becomes published; an archived entry stays archived when its texts are fixed
        document = {**row.document, "status": "archived" if row.document.get("status") == "archived" else "published"}
        entry, problems = check_document(document, f"workspace:{row.entry_id}", districts)
        if entry is None:
            raise ReviewRefused("not_publishable", problems)
        row.document, row.state, row.reviewer, row.reviewed_at = document, RevisionState.PUBLISHED.value, reviewer, now
        live = session.get(EntryRow, row.entry_id)
        if live is None:
            session.add(EntryRow(id=row.entry_id, status=entry.status, document=document, updated_at=now))
        else:
            live.document, live.status, live.updated_at = document, entry.status, now
        count = session.scalar(select(func.count()).select_from(EntryRow)) or 0
        session.add(SyncRow(synced_at=now, entry_count=count))  # readers reload on a new sync
        return _revision(row)


def _authors_since_live(session: Session, entry_id: str) -> set[str]:
    """Who saved a revision of the entry after its live (published or imported) one."""
    authors: set[str] = set()
    rows = session.scalars(select(RevisionRow).where(RevisionRow.entry_id == entry_id).order_by(RevisionRow.id.desc()))
    for row in rows:
        if row.state in (RevisionState.PUBLISHED.value, RevisionState.IMPORTED.value):
            break
        authors.add(row.author)
    return authors


def _in_review(session: Session, revision_id: int) -> RevisionRow:
    row = session.get(RevisionRow, revision_id)
    if row is None or row.state != RevisionState.IN_REVIEW.value:
        raise ReviewRefused("not_in_review")
    return row
