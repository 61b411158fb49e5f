"""The retention job: what points to a person is deleted after `keep_days` (default 90), what
coordinators count survives as weekly counts (topic × language × district × week) without a
person in them. Everything happens in one transaction, so a failed run deletes nothing and
counts nothing twice; the clock is passed in, so the limits are tested without waiting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta, timezone
from operator import attrgetter
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Delete

from cases.store import CaseRow, InboxRow, MirrorRow, TopicToDeleteRow
from configuration import DEFAULT_RETENTION_DAYS
from db import Base, as_utc, one_at_a_time
from knowledge.answers import AnswerRow
from retention.limits import INBOX_KEEP

RETENTION_LOCK = 0x4C6F74736552  # any fixed number, other than db.schema's MIGRATION_LOCK
NO_TOPIC = "-"  # a hand-over before the newcomer named a topic


class WeeklyCountRow(Base):
    """How often a topic was answered or handed over in a language, district and week."""

    __tablename__ = "weekly_counts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    week = Column(Date, nullable=False)  # that week's Monday
    topic = Column(String(40), nullable=False)
    language = Column(String(8), nullable=False)
    district = Column(String(40))
    kind = Column(String(10), nullable=False)  # "answer" or "handover"
    count = Column(Integer, nullable=False)
    helpful = Column(Integer, nullable=False)
    not_helpful = Column(Integer, nullable=False)


# An unknown district is NULL, as in `answers`. A unique key treats NULLs as different on
# SQLite and (before NULLS NOT DISTINCT) on PostgreSQL, so the key is on coalesce(district, '').
Index("uq_weekly_counts_key", WeeklyCountRow.week, WeeklyCountRow.topic, WeeklyCountRow.language,
      func.coalesce(WeeklyCountRow.district, ""), WeeklyCountRow.kind, unique=True)
_key = attrgetter("week", "topic", "language", "district", "kind")  # of a WeeklyCount and of a row


@dataclass(frozen=True)
class WeeklyCount:
    week: date
    topic: str
    language: str
    district: str | None
    kind: str
    count: int
    helpful: int = 0
    not_helpful: int = 0


@dataclass(frozen=True)
class RetentionResult:
    """What one run folded into the weekly counts (and deleted), and what else it deleted.
    `rasa_events` is None when the database has no Rasa `events` table (Rasa keeps its
    conversations elsewhere, e.g. in memory with `make run`)."""

    answers: int
    closed_cases: int
    mirrored_messages: int
    telegram_updates: int
    rasa_events: int | None

    def summary(self) -> str:
        events = "no table" if self.rasa_events is None else self.rasa_events
        return (f"folded into the weekly counts and deleted: answers {self.answers}, closed cases {self.closed_cases}; "
                f"deleted: mirrored messages {self.mirrored_messages}, Telegram updates {self.telegram_updates}, "
                f"Rasa events {events}")


def apply_retention(engine: Engine, now: datetime, time_zone: ZoneInfo,
                    keep_days: int = DEFAULT_RETENTION_DAYS) -> RetentionResult:
    """Folds answers and closed cases older than `keep_days` into the weekly counts and deletes
    them, with mirrored messages, Telegram updates and Rasa events past their limits. Open and
    claimed cases stay however old: an advisor still works on them (their old mirrored
    messages go all the same)."""
    if now.tzinfo is None or keep_days < 1:
        raise ValueError(f"need a timezone-aware now and keep_days >= 1, not {now!r} and {keep_days!r}")
    now = now.astimezone(timezone.utc)  # SQLite stores times without their zone: all in UTC
    cutoff = now - timedelta(days=keep_days)
    old_day = AnswerRow.day < cutoff.astimezone(time_zone).date()  # answers are dated in the city's time
    old_closed_case = and_(CaseRow.status == "closed", CaseRow.closed_at < cutoff)
    with Session(engine) as session, session.begin():
        # The nightly run and a manual `run` at once would both count the same rows before
        # either deletes them; the second waits for the first and finds them gone.
        one_at_a_time(session.connection(), RETENTION_LOCK)
        _add_to_weekly_counts(session,
                              [*_answer_counts(session, old_day),
                               *_handover_counts(session, old_closed_case, time_zone)])
        answers = _deleted(session, delete(AnswerRow).where(old_day))
        mirrored_messages = _deleted(session, delete(MirrorRow).where(or_(  # before the cases they are found by
            MirrorRow.case_id.in_(select(CaseRow.id).where(old_closed_case)), MirrorRow.created_at < cutoff)))
        for thread in session.scalars(select(CaseRow.thread_id).where(old_closed_case, CaseRow.thread_id.is_not(None))):
            session.merge(TopicToDeleteRow(thread_id=thread, queued_at=now))  # the adapter deletes them in Telegram
        closed_cases = _deleted(session, delete(CaseRow).where(old_closed_case))
        telegram_updates = _deleted(session, delete(InboxRow).where(or_(
            InboxRow.processed_at < now - INBOX_KEEP,
            and_(InboxRow.processed_at.is_(None), InboxRow.received_at < cutoff))))
        rasa_events = _delete_rasa_events(session.connection(), cutoff)
    return RetentionResult(answers, closed_cases, mirrored_messages, telegram_updates, rasa_events)


def weekly_counts(engine: Engine) -> list[WeeklyCount]:
    """The coordinators' statistics beyond the retention limit, oldest week first."""
    query = select(WeeklyCountRow).order_by(WeeklyCountRow.week, WeeklyCountRow.kind, WeeklyCountRow.topic,
                                            WeeklyCountRow.language, func.coalesce(WeeklyCountRow.district, ""))
    with Session(engine) as session:
        return [WeeklyCount(*(getattr(row, field.name) for field in fields(WeeklyCount)))
                for row in session.scalars(query)]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _answer_counts(session: Session, old_day: ColumnElement) -> list[WeeklyCount]:
    rated = {verdict: func.sum(case((AnswerRow.helpful.is_(verdict), 1), else_=0)) for verdict in (True, False)}
    per_day = (select(AnswerRow.day, AnswerRow.topic, AnswerRow.language, AnswerRow.district, func.count(),
                      rated[True], rated[False])
               .where(old_day).group_by(AnswerRow.day, AnswerRow.topic, AnswerRow.language, AnswerRow.district))
    return [WeeklyCount(_monday(day), topic, language, district, "answer", count, helpful, not_helpful)
            for day, topic, language, district, count, helpful, not_helpful in session.execute(per_day)]


def _handover_counts(session: Session, old_closed_case: ColumnElement, time_zone: ZoneInfo) -> list[WeeklyCount]:
    """A hand-over counts in the week it was asked for; cases know no district."""
    cases = select(CaseRow.opened_at, CaseRow.topic, CaseRow.language).where(old_closed_case)
    return [WeeklyCount(_monday(as_utc(opened_at).astimezone(time_zone).date()), topic or NO_TOPIC, language, None,
                        "handover", 1)
            for opened_at, topic, language in session.execute(cases)]


def _add_to_weekly_counts(session: Session, counts: Sequence[WeeklyCount]) -> None:
    """Adds to the stored row of each week, topic, language, district and kind, or stores one:
    a week straddles the limit, so its answers arrive over several nightly runs."""
    weeks = {count.week for count in counts}
    stored = {_key(row): row for row in session.scalars(select(WeeklyCountRow).where(WeeklyCountRow.week.in_(weeks)))}
    for count in counts:
        row = stored.get(_key(count))
        if row is None:
            session.add(stored.setdefault(_key(count), WeeklyCountRow(**asdict(count))))
        else:
            row.count += count.count
            row.helpful += count.helpful
            row.not_helpful += count.not_helpful


def _deleted(session: Session, statement: Delete) -> int:
    """Runs a bulk delete and says how many rows went; no object of these rows is loaded."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return cast(CursorResult, result).rowcount  # a DELETE's result is a cursor's


def _delete_rasa_events(connection: Connection, cutoff: datetime) -> int | None:
    """Rasa's SQLTrackerStore keeps its `events` in this database in production (timestamps in
    seconds since the epoch); the table is Rasa's, so it is read from the database, not declared."""
    if not inspect(connection).has_table("events"):
        return None
    events = Table("events", MetaData(), autoload_with=connection)
    return connection.execute(delete(events).where(events.c.timestamp < cutoff.timestamp())).rowcount
