"""The rasa-sdk actions: thin wrappers that read the conversation, call plain functions
(knowledge search, rendering, the phrase table) and send the result. Started by
`rasa run actions` (port 5055); the knowledge store is the default one (`DATABASE_URL`, or
SQLite under var/ after `python -m knowledge sync`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.erasure import schedule_erasure
from actions.phrases import phrases
from actions.render import answer_message
from knowledge.hours import BERLIN
from knowledge.search import find_services
from nlu.language import DEFAULT_LANGUAGE, LANGUAGES, language_from_client_code

PAGE_SIZE = 3
TOPICS = ("housing", "language_course", "work", "residence")
TOPIC_INTENTS = {f"ask_{topic}": topic for topic in TOPICS}
CLARIFICATIONS_BEFORE_HANDOVER = 2  # a third message not understood goes to a person
SUMMARY_MESSAGES, SUMMARY_CHARACTERS = 3, 200


def language_of(tracker: Tracker) -> str:
    """The conversation's language; before the first message with words (a pressed `/start`
    skips the NLU), the Telegram client's language; English when neither is known."""
    language = tracker.get_slot("language")
    if language in LANGUAGES:
        return language
    client_code = (tracker.latest_message.get("metadata") or {}).get("language_code")
    return language_from_client_code(client_code) or DEFAULT_LANGUAGE


class SayPhrase(Action, ABC):
    """Sends one phrase of the table in the conversation's language; one subclass per phrase."""

    @property
    @abstractmethod
    def phrase(self) -> str:
        """The key in actions/phrases.yml."""

    def name(self) -> str:
        return f"action_{self.phrase}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=phrases().say(self.phrase, language_of(tracker)))
        return []


SPOKEN_PHRASES = ("greet", "ask_topic", "goodbye", "you_are_welcome", "bot_challenge", "out_of_scope", "emergency",
                  "privacy", "keep_conversation")
SAY_ACTIONS = [type(f"Say_{phrase}", (SayPhrase,), {"phrase": phrase}) for phrase in SPOKEN_PHRASES]


def _send_services(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str | None, query: str,
                   offset: int) -> list[EventType]:
    """One page of services; a "more" button when there is a next page. Without a topic yet,
    asks for one."""
    language = language_of(tracker)
    if topic is None:
        dispatcher.utter_message(text=phrases().say("ask_topic", language))
        return []
    found = find_services(topic, language, query, limit=PAGE_SIZE + 1, offset=offset)
    page = found[:PAGE_SIZE]
    if not page:
        dispatcher.utter_message(text=phrases().say("no_services" if offset == 0 else "no_more_services", language))
        return []
    text = answer_message(phrases().say(f"topic_{topic}", language), page, language, datetime.now(BERLIN), phrases())
    buttons = [{"title": phrases().say("button_more", language), "payload": "/more"}] if len(found) > PAGE_SIZE else []
    dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet("topic", topic), SlotSet("topic_query", query), SlotSet("results_offset", offset + len(page)),
            SlotSet("not_understood", 0)]


def topic_buttons(language: str, topics: tuple[str, ...] = TOPICS) -> list[dict[str, str]]:
    """Topic buttons plus "talk to an advisor"; a button sends its intent, like a typed question."""
    return [{"title": phrases().say(f"button_{topic}", language), "payload": f"/ask_{topic}"} for topic in topics] + [
        {"title": phrases().say("button_advisor", language), "payload": "/request_human"}]


class Start(Action):
    """`/start`: who Lotse is, a short privacy notice, the topic menu."""

    def name(self) -> str:
        return "action_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=phrases().say("start", language), buttons=topic_buttons(language))
        return [SlotSet("language", language)]  # the buttons that follow carry no words to detect it from


class ChooseLanguage(Action):
    """The language picker: each language named in itself; a pressed button (its payload
    carries the `language` entity, which sets the slot) is confirmed in the new language."""

    def name(self) -> str:
        return "action_choose_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        message = tracker.latest_message
        chosen = next((e["value"] for e in message.get("entities", []) if e.get("entity") == "language"), None)
        if (message.get("text") or "").startswith("/") and chosen in LANGUAGES:
            dispatcher.utter_message(text=phrases().say("language_chosen", chosen))
            return []
        buttons = [{"title": phrases().say("language_name", language),
                    "payload": f'/choose_language{{"language": "{language}"}}'} for language in LANGUAGES]
        dispatcher.utter_message(text=phrases().say("choose_language", language_of(tracker)), buttons=buttons)
        return []


class AskDelete(Action):
    """`/delete`: nothing is erased without a yes."""

    def name(self) -> str:
        return "action_ask_delete"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=phrases().say("ask_delete", language), buttons=[
            {"title": phrases().say("button_delete_yes", language), "payload": "/affirm"},
            {"title": phrases().say("button_delete_no", language), "payload": "/deny"}])
        return []


class DeleteConversation(Action):
    """After the yes: erases the conversation in Rasa (actions/erasure.py), tells the channel
    to delete what it keeps (its hand-over records), and starts afresh."""

    def name(self) -> str:
        return "action_delete_conversation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=phrases().say("deleted", language_of(tracker)))
        dispatcher.utter_message(json_message={"delete_conversation": True})
        schedule_erasure(tracker.sender_id)
        return [Restarted()]


class Clarify(Action):
    """A message Lotse did not understand: first "did you mean …?" with the likeliest topics,
    then the offer of an advisor, then the hand-over itself."""

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language, failures = language_of(tracker), int(tracker.get_slot("not_understood") or 0)
        if failures >= CLARIFICATIONS_BEFORE_HANDOVER:
            return [SlotSet("not_understood", 0), FollowupAction("action_hand_over")]
        if failures == 0:
            dispatcher.utter_message(text=phrases().say("clarify", language),
                                     buttons=topic_buttons(language, likeliest_topics(tracker.latest_message)))
        else:
            dispatcher.utter_message(text=phrases().say("offer_advisor", language), buttons=topic_buttons(language))
        return [SlotSet("not_understood", failures + 1), SlotSet("topic_query", tracker.latest_message.get("text"))]


def likeliest_topics(message: dict[str, Any], count: int = 2) -> tuple[str, ...]:
    """The topics the classifier found most likely, best first (all four if it found none)."""
    ranked = [TOPIC_INTENTS[r["name"]] for r in message.get("intent_ranking", []) if r["name"] in TOPIC_INTENTS]
    return tuple(ranked[:count]) or TOPICS


class AnswerTopic(Action):
    """A topic question: the best matching services from the knowledge base."""

    def name(self) -> str:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        topic = TOPIC_INTENTS.get(intent) or tracker.get_slot("topic")
        text = tracker.latest_message.get("text") or ""
        # a pressed button carries no words: search with the question that led to the buttons
        query = (tracker.get_slot("topic_query") or "") if text.startswith("/") else text
        return _send_services(dispatcher, tracker, topic, query, offset=0)


class MoreResults(Action):
    """The "more" button: the next page for the same question."""

    def name(self) -> str:
        return "action_more_results"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        offset = int(tracker.get_slot("results_offset") or 0)
        return _send_services(dispatcher, tracker, tracker.get_slot("topic"), tracker.get_slot("topic_query") or "", offset)


class HandOver(Action):
    """Hands the conversation to an advisor: tells the newcomer, emits a hand-over message for
    the channel (language, topic, priority, short summary) and pauses the bot until the
    advisor's side resumes the conversation."""

    def name(self) -> str:
        return "action_hand_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=phrases().say("handover", language))
        dispatcher.utter_message(json_message={"handover": handover_request(tracker, language)})
        return [ConversationPaused()]


def handover_request(tracker: Tracker, language: str) -> dict[str, Any]:
    intent = tracker.latest_message.get("intent", {}).get("name")
    said = [event.get("text") or "" for event in tracker.events if event.get("event") == "user"]
    return {
        "language": language,
        "topic": tracker.get_slot("topic"),
        "priority": "urgent" if intent == "emergency" else "normal",
        "reason": intent,
        "summary": [text[:SUMMARY_CHARACTERS] for text in said[-SUMMARY_MESSAGES:]],
    }
