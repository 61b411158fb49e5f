"""The tables of the advisors' side and the functions the Telegram adapter calls. Every
write is one short transaction, so a restart between two updates loses nothing, and the
unique keys make a repeated write (an update delivered twice) a no-op."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, String, UniqueConstraint, delete, select
from sqlalchemy import update as update_rows  # `update` is what Telegram sends
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session
from sqlalchemy.sql import Select

from db import Base, as_utc

PRIORITIES = ("urgent", "normal")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)  # the case number advisors see
    sender: Mapped[str] = Column(String(64), nullable=False, index=True)  # Rasa's pseudonymous sender id
    chat_id: Mapped[int] = Column(BigInteger, nullable=False)  # the newcomer's Telegram chat, to relay replies
    language: Mapped[str] = Column(String(8), nullable=False)
    topic = Column(String(40))
    priority: Mapped[str] = Column(String(10), nullable=False)
    reason = Column(String(40))
    status: Mapped[str] = Column(String(10), nullable=False, index=True)  # open, claimed, closed
    thread_id = Column(BigInteger)  # the forum topic in the advisors' group
    advisor_id = Column(BigInteger)
    opened_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False)
    claimed_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))


class MirrorRow(Base):
    """One message copied between a newcomer's chat and the case's forum topic."""

    __tablename__ = "case_messages"
    __table_args__ = (UniqueConstraint("source_chat", "source_message", name="uq_case_messages_source"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, nullable=False, index=True)
    direction = Column(String(3), nullable=False)  # in: newcomer -> advisors, out: advisor -> newcomer
    source_chat = Column(BigInteger, nullable=False)
    source_message = Column(BigInteger, nullable=False)
    target_message = Column(BigInteger)
    created_at = Column(DateTime(timezone=True), nullable=False)


class AdvisorRow(Base):
    __tablename__ = "advisors"

    user_id = Column(BigInteger, primary_key=True)
    name = Column(String(120), nullable=False)
    languages: Mapped[list[str]] = Column(JSON, nullable=False)
    registered_at = Column(DateTime(timezone=True), nullable=False)


class InboxRow(Base):
    """A Telegram update as received, kept until it is handled to the end: the bot confirms
    updates to Telegram only once they are stored here, so a restart loses none, and a
    handled one is never handled again."""

    __tablename__ = "telegram_updates"

    update_id = Column(BigInteger, primary_key=True)
    chat_id = Column(BigInteger, index=True)  # whose update it is, for `/delete`
    payload = Column(JSON, nullable=False)
    received_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False)
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0)
    processed_at = Column(DateTime(timezone=True), index=True)


class TopicToDeleteRow(Base):
    """The forum topic of a case the retention job deleted: only the adapter talks to Telegram,
    so the job leaves the topic here and the adapter deletes it with everything in it."""

    __tablename__ = "forum_topics_to_delete"

    thread_id = Column(BigInteger, primary_key=True, autoincrement=False)
    queued_at = Column(DateTime(timezone=True), nullable=False)


@dataclass(frozen=True)
class Case:
    id: int
    sender: str
    chat_id: int
    language: str
    topic: str | None
    priority: str
    reason: str | None
    status: str
    thread_id: int | None
    advisor_id: int | None
    opened_at: datetime

    @property
    def is_active(self) -> bool:
        return self.status != "closed"


def _case(row: CaseRow) -> Case:
    return Case(row.id, row.sender, row.chat_id, row.language, row.topic, row.priority, row.reason, row.status,
                row.thread_id, row.advisor_id, as_utc(row.opened_at))


def chat_of(update: dict) -> int | None:
    """The chat a Telegram update (as JSON) belongs to, whatever its kind: a message's, a pressed
    button's, a reaction's, a member change's; else its sender's (a private chat's id is its
    person's)."""
    for content in update.values():
        if isinstance(content, dict):
            chat = content.get("chat") or (content.get("message") or {}).get("chat") or content.get("from")
            if isinstance(chat, dict) and "id" in chat:
                return chat["id"]
    return None


def _active_case(sender: str) -> Select:
    return select(CaseRow).where(CaseRow.sender == sender, CaseRow.status != "closed")


class CaseStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- cases -------------------------------------------------------------------------

    def open_case(self, sender: str, chat_id: int, language: str, topic: str | None, priority: str,
                  reason: str | None) -> tuple[Case, bool]:
        """The newcomer's active case, or a new one; True when it is new. An urgent request
        raises the priority of an open case."""
        with Session(self._engine) as session, session.begin():
            row = session.scalar(_active_case(sender))
            if row is not None:
                if priority == "urgent":
                    row.priority = "urgent"
                return _case(row), False
            row = CaseRow(sender=sender, chat_id=chat_id, language=language, topic=topic, priority=priority,
                          reason=reason, status="open", opened_at=_now())
            session.add(row)
            session.flush()
            return _case(row), True

    def _update(self, case_id: int, **values) -> Case:
        with Session(self._engine) as session, session.begin():
            row = session.get(CaseRow, case_id)
            if row is None:
                raise LookupError(f"no case {case_id}")
            for name, value in values.items():
                setattr(row, name, value)
            return _case(row)

    def set_thread(self, case_id: int, thread_id: int) -> Case:
        return self._update(case_id, thread_id=thread_id)

    def claim(self, case_id: int, advisor_id: int) -> Case:
        return self._update(case_id, status="claimed", advisor_id=advisor_id, claimed_at=_now())

    def close(self, case_id: int) -> Case:
        return self._update(case_id, status="closed", closed_at=_now())

    def set_language(self, case_id: int, language: str) -> Case:
        return self._update(case_id, language=language)

    def active_case_of(self, sender: str) -> Case | None:
        with Session(self._engine) as session:
            row = session.scalar(_active_case(sender))
            return _case(row) if row else None

    def case_in_thread(self, thread_id: int) -> Case | None:
        with Session(self._engine) as session:
            row = session.scalar(select(CaseRow).where(CaseRow.thread_id == thread_id).order_by(CaseRow.id.desc()))
            return _case(row) if row else None

    def queue(self) -> list[Case]:
        """Open and claimed cases: urgent first, then the longest waiting."""
        with Session(self._engine) as session:
            rows = session.scalars(select(CaseRow).where(CaseRow.status != "closed").order_by(CaseRow.opened_at))
            return sorted((_case(r) for r in rows), key=lambda c: PRIORITIES.index(c.priority))

    def waiting_before(self, case_id: int) -> int:
        """Unclaimed cases ahead of this one in the queue."""
        waiting = [c.id for c in self.queue() if c.status == "open"]
        return waiting.index(case_id) if case_id in waiting else 0

    def threads_of(self, sender: str) -> list[int]:
        """The advisors' forum topics of the newcomer's cases."""
        with Session(self._engine) as session:
            return list(session.scalars(select(CaseRow.thread_id).where(CaseRow.sender == sender,
                                                                        CaseRow.thread_id.is_not(None))))

    def forget_sender(self, sender: str, chat_id: int, up_to_update: int) -> int:
        """`/delete`: the newcomer's cases, mirrored messages and stored Telegram updates (up to
        the one that asked; later ones still wait to be answered) are erased; returns how many
        cases."""
        with Session(self._engine) as session, session.begin():
            rows = list(session.scalars(select(CaseRow).where(CaseRow.sender == sender)))
            for row in rows:
                for message in session.scalars(select(MirrorRow).where(MirrorRow.case_id == row.id)):
                    session.delete(message)
                session.delete(row)
            session.execute(delete(InboxRow).where(InboxRow.chat_id == chat_id, InboxRow.update_id <= up_to_update))
            return len(rows)

    def topics_to_delete(self) -> list[int]:
        """Forum topics of cases past the retention limit, oldest first."""
        with Session(self._engine) as session:
            return list(session.scalars(select(TopicToDeleteRow.thread_id).order_by(TopicToDeleteRow.queued_at)))

    def topic_deleted(self, thread_id: int) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(delete(TopicToDeleteRow).where(TopicToDeleteRow.thread_id == thread_id))

    # -- mirrored messages -------------------------------------------------------------

    def claim_mirror(self, case_id: int, direction: str, source_chat: int, source_message: int) -> bool:
        """Reserves the copy of one message; False when it was copied before (a repeated update)."""
        try:
            with Session(self._engine) as session, session.begin():
                session.add(MirrorRow(case_id=case_id, direction=direction, source_chat=source_chat,
                                      source_message=source_message, created_at=_now()))
            return True
        except IntegrityError:
            return False

    def release_mirror(self, source_chat: int, source_message: int) -> None:
        """The copy failed: the message may be copied again."""
        with Session(self._engine) as session, session.begin():
            session.execute(delete(MirrorRow).where(MirrorRow.source_chat == source_chat,
                                                    MirrorRow.source_message == source_message))

    def mirrored(self, source_chat: int, source_message: int, target_message: int) -> None:
        with Session(self._engine) as session, session.begin():
            row = session.scalar(select(MirrorRow).where(MirrorRow.source_chat == source_chat,
                                                         MirrorRow.source_message == source_message))
            row.target_message = target_message

    # -- advisors ----------------------------------------------------------------------

    def register_advisor(self, user_id: int, name: str, languages: Sequence[str] = ()) -> None:
        with Session(self._engine) as session, session.begin():
            row = session.get(AdvisorRow, user_id)
            if row is None:
                session.add(AdvisorRow(user_id=user_id, name=name, languages=list(languages), registered_at=_now()))
            else:
                row.name = name

    def set_advisor_languages(self, user_id: int, languages: Sequence[str]) -> None:
        with Session(self._engine) as session, session.begin():
            row = session.get(AdvisorRow, user_id)
            if row is None:
                raise LookupError(f"no advisor {user_id}")  # /languages registers the advisor first
            row.languages = list(languages)

    def advisors(self) -> dict[int, tuple[str, tuple[str, ...]]]:
        with Session(self._engine) as session:
            return {r.user_id: (r.name, tuple(r.languages)) for r in session.scalars(select(AdvisorRow))}

    # -- the inbox of Telegram updates ---------------------------------------------------

    def receive(self, updates: Sequence[dict]) -> None:
        """Stores updates not seen before. The same update delivered twice is stored once; an
        id that comes back with other content (Telegram restarts its ids after a quiet week)
        is a new update and replaces the old one."""
        with Session(self._engine) as session, session.begin():
            known = {row.update_id: row for row in session.scalars(select(InboxRow).where(
                InboxRow.update_id.in_([u["update_id"] for u in updates])))}
            for update in updates:
                row = known.get(update["update_id"])
                if row is None:
                    session.add(InboxRow(update_id=update["update_id"], chat_id=chat_of(update), payload=update,
                                         received_at=_now()))
                elif row.payload != update:
                    row.payload, row.received_at, row.attempts, row.processed_at = update, _now(), 0, None
                    row.chat_id = chat_of(update)

    def unprocessed(self, received_before: datetime | None = None) -> list[dict]:
        """Updates not yet handled to the end, oldest first."""
        query = select(InboxRow.payload).where(InboxRow.processed_at.is_(None)).order_by(InboxRow.update_id)
        if received_before is not None:
            query = query.where(InboxRow.received_at < received_before)
        with Session(self._engine) as session:
            return list(session.scalars(query))

    def attempt(self, update_id: int) -> tuple[int, datetime]:
        """Counts one more try at handling the update: (tries so far, when it arrived)."""
        with Session(self._engine) as session, session.begin():
            row = session.get(InboxRow, update_id)
            if row is None:
                return 1, _now()
            row.attempts += 1
            return row.attempts, as_utc(row.received_at)

    def is_processed(self, update_id: int) -> bool:
        with Session(self._engine) as session:
            return session.scalar(select(InboxRow.processed_at).where(InboxRow.update_id == update_id)) is not None

    def reachable(self) -> bool:
        """Whether the database answers: what the adapter's health check reports."""
        try:
            with self._engine.connect() as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def mark_processed(self, update_id: int) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(update_rows(InboxRow).where(InboxRow.update_id == update_id).values(processed_at=_now()))
