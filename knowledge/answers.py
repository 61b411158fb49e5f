"""The answers Lotse gave, without who asked: day, topic, language, district, the entries
shown and, once a newcomer presses 👍 or 👎, whether it helped. Coordinators see from it
which topics are asked in which language and which entries do not help; nothing in it
points to a person; past the retention limit it survives only as weekly counts (retention/)."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import JSON, Boolean, Column, Date, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from db import Base


class AnswerRow(Base):
    __tablename__ = "answers"

    id = Column(String(16), primary_key=True)
    day = Column(Date, nullable=False, index=True)
    topic = Column(String(40), nullable=False)
    language = Column(String(8), nullable=False)
    district = Column(String(40))
    entry_ids = Column(JSON, nullable=False)
    helpful = Column(Boolean)  # None until rated; the last press counts


@dataclass(frozen=True)
class GivenAnswer:
    topic: str
    language: str
    district: str | None
    entry_ids: tuple[str, ...]
    day: date


def log_answer(engine: Engine, answer: GivenAnswer) -> str:
    """Stores an answer and returns its id, which the 👍/👎 buttons carry."""
    answer_id = secrets.token_hex(6)
    with Session(engine) as session, session.begin():
        session.add(AnswerRow(id=answer_id, day=answer.day, topic=answer.topic, language=answer.language,
                              district=answer.district, entry_ids=list(answer.entry_ids)))
    return answer_id


def rate_answer(engine: Engine, answer_id: str, helpful: bool) -> bool:
    """Records 👍 or 👎; False when the answer is unknown (a button older than the log)."""
    with Session(engine) as session, session.begin():
        row = session.get(AnswerRow, answer_id)
        if row is None:
            return False
        row.helpful = helpful
    return True


@dataclass(frozen=True)
class Tally:
    answers: int = 0
    helpful: int = 0
    not_helpful: int = 0


@dataclass(frozen=True)
class AnswerStatistics:
    by_topic_and_language: dict[tuple[str, str], Tally]
    by_entry: dict[str, Tally]  # how often an entry was shown, and the ratings of those answers


def answer_statistics(engine: Engine, since: date | None = None) -> AnswerStatistics:
    query = select(AnswerRow.topic, AnswerRow.language, AnswerRow.entry_ids, AnswerRow.helpful)
    if since is not None:
        query = query.where(AnswerRow.day >= since)
    by_group: dict[tuple[str, str], Counter] = {}
    by_entry: dict[str, Counter] = {}
    with Session(engine) as session:
        for topic, language, entry_ids, helpful in session.execute(query):
            for counter in [by_group.setdefault((topic, language), Counter()),
                            *(by_entry.setdefault(entry_id, Counter()) for entry_id in entry_ids)]:
                counter.update(_counts(helpful))
    return AnswerStatistics({key: _tally(c) for key, c in sorted(by_group.items())},
                            {key: _tally(c) for key, c in sorted(by_entry.items())})


def _counts(helpful: bool | None) -> Sequence[str]:
    return ["answers"] + (["helpful"] if helpful is True else ["not_helpful"] if helpful is False else [])


def _tally(counter: Counter) -> Tally:
    return Tally(counter["answers"], counter["helpful"], counter["not_helpful"])
