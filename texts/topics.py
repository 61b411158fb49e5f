"""The topics newcomers ask about, defined once as data (texts/topics.yml): each with its
intent, its menu button and the sentence before its offices, in every language. Knowledge
entries are tagged with the topics' ids; the actions and the adapter know no topic by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Topic:
    id: str
    intent: str
    page: int  # of the /start menu
    button: Mapping[str, str]
    intro: Mapping[str, str]
    answers_any_question: bool = False
    """General counselling: its offices may answer any question, and answer those outside every topic."""


def load_topics(path: Path = HERE / "topics.yml") -> tuple[Topic, ...]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Topic(id=item["id"], intent=item["intent"], page=item["page"], button=item["button"],
                       intro=item["intro"], answers_any_question=item.get("answers_any_question", False))
                 for item in items)


TOPIC_LIST = load_topics()
TOPICS = tuple(topic.id for topic in TOPIC_LIST)
TOPIC_OF_INTENT = {topic.intent: topic.id for topic in TOPIC_LIST}
INTENT_OF_TOPIC = {topic.id: topic.intent for topic in TOPIC_LIST}
GENERAL = next(topic.id for topic in TOPIC_LIST if topic.answers_any_question)
"""The topic whose offices may answer any question (general counselling)."""
MENU_PAGES = tuple(sorted({topic.page for topic in TOPIC_LIST}))


def menu_page(page: int) -> tuple[str, ...]:
    """The ids of the topics on one page of the /start menu."""
    return tuple(topic.id for topic in TOPIC_LIST if topic.page == page)


def topic_phrases() -> dict[str, Mapping[str, str]]:
    """The topics' texts as phrases: `button_<id>` and `topic_<id>` (the intro)."""
    return {**{f"button_{t.id}": t.button for t in TOPIC_LIST}, **{f"topic_{t.id}": t.intro for t in TOPIC_LIST}}
