"""What every action shares: the collaborators it is given, the conversation's language, the
latest message's entities, buttons, and the rule that a failing action never fails a turn."""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from cities import City
from knowledge.search import KnowledgeBase
from texts import INTENT_OF_TOPIC, LANGUAGES, MENU_PAGES, Phrases, menu_page, serving_language

logger = logging.getLogger("actions")


@dataclass(frozen=True)
class Resources:
    """What the actions work with, made once by the action server and passed to each
    action (as rasa-sdk's ActionQueryKnowledgeBase is given its knowledge base)."""

    knowledge: KnowledgeBase  # the published entries
    answer_log: Engine  # where answers and their 👍/👎 are counted
    city: City
    texts: Phrases  # newcomers' texts, bound to the city
    keep_days: int  # the retention limit, as the privacy notice says it


def language_of(tracker: Tracker) -> str:
    """The conversation's language; before the first message with words (a pressed `/start`
    skips the NLU), the Telegram client's language; English when neither is known."""
    language = tracker.get_slot("language")
    if language in LANGUAGES:
        return language
    client_code = (tracker.latest_message.get("metadata") or {}).get("language_code")
    return serving_language(client_code)


def entity(tracker: Tracker, name: str) -> Any:
    return next((e["value"] for e in tracker.latest_message.get("entities", []) if e.get("entity") == name), None)


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    """A button that sends its intent (and entities) as Rasa parses a `/intent{...}` message."""
    return {"title": title, "payload": f"/{intent}{json.dumps(entities, ensure_ascii=False) if entities else ''}"}


def advisor_button(texts: Phrases, language: str) -> dict[str, str]:
    return button(texts.say("button_advisor", language), "request_human")


def topic_buttons(texts: Phrases, language: str, topics: tuple[str, ...]) -> list[dict[str, str]]:
    """Topic buttons plus "talk to an advisor"; a button sends its intent, like a typed question."""
    return [button(texts.say(f"button_{topic}", language), INTENT_OF_TOPIC[topic]) for topic in topics] + [
        advisor_button(texts, language)]


def menu_buttons(texts: Phrases, language: str, page: int = MENU_PAGES[0]) -> list[dict[str, str]]:
    """One page of the topic menu, so that it never becomes a wall of buttons: its topics, the
    way to the next page (from the last one back to the first), and "talk to an advisor"."""
    *topics, advisor = topic_buttons(texts, language, menu_page(page))
    if len(MENU_PAGES) == 1:
        return [*topics, advisor]
    following = MENU_PAGES[(MENU_PAGES.index(page) + 1) % len(MENU_PAGES)]
    turn = texts.say("button_more_topics" if following > page else "button_first_topics", language)
    return [*topics, button(turn, "start", menu_page=str(following)), advisor]


class LotseAction(Action, ABC):
    """An action whose failure does not fail the turn: whatever goes wrong (a database away, a
    forged entity value), the newcomer hears once that this question could not be answered,
    with the way to a person, and the turn ends. An action server that answers nothing means
    it is down; the adapter must not take a broken action for that and retry it for minutes.
    The log names the action and the error's kind, never the message or the error's text
    (which may quote what the newcomer typed)."""

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    @property
    def texts(self) -> Phrases:
        return self.resources.texts

    @abstractmethod
    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        """What the action does."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            return await self.respond(dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 - any failure is answered, none ends the turn unanswered
            logger.error("action %s failed: %s", self.name(), type(error).__name__)
            dispatcher.messages.clear()  # half an answer would mislead
            language = language_of(tracker)
            dispatcher.utter_message(text=self.texts.say("action_failed", language),
                                     buttons=[advisor_button(self.texts, language)])
            return []


class SayPhrase(LotseAction, ABC):
    """Sends one phrase of the table in the conversation's language."""

    phrase: str  # the key in texts/newcomers.yml

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=self.texts.say(self.phrase, language_of(tracker)))
        return []
