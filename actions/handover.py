"""The hand-over to a person: the newcomer is told, the channel gets what the advisors need
(language, topic, priority, the last few messages), and the bot pauses. An emergency gets the
city's emergency numbers first."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import likeliest_topics
from actions.base import LotseAction, button, language_of, topic_buttons
from nlu.crisis import DANGER, EMERGENCY, Danger
from texts import Phrases

SUMMARY_MESSAGES, SUMMARY_CHARACTERS = 3, 200


class HandOver(LotseAction):
    """Hands the conversation to an advisor: tells the newcomer, emits a hand-over message for
    the channel (language, topic, priority, short summary) and pauses the bot until the
    advisor's side resumes the conversation."""

    def name(self) -> str:
        return "action_hand_over"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        return hand_over(self.texts, dispatcher, tracker, language_of(tracker))


class Emergency(LotseAction):
    """The city's emergency numbers first. A certain emergency is then handed to an advisor
    at once, as urgent. A possible one (the model saw danger, unsure, and no crisis term was
    named: `nlu.components.read_danger`) is asked whether there is danger now: one button
    hands over urgently, the topic buttons answer the question it more likely was, so that an
    ordinary worried question neither alarms the newcomer nor an advisor."""

    def name(self) -> str:
        return "action_emergency"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        if tracker.latest_message.get(DANGER) == Danger.POSSIBLE.value:
            in_danger = button(self.texts.say("button_in_danger", language), EMERGENCY)
            topics = topic_buttons(self.texts, language, likeliest_topics(tracker.latest_message))
            dispatcher.utter_message(text=self.texts.say("danger_check", language), buttons=[in_danger, *topics])
            return [SlotSet("topic_query", tracker.latest_message.get("text"))]
        dispatcher.utter_message(text=self.texts.say("emergency", language))
        return hand_over(self.texts, dispatcher, tracker, language)


def hand_over(texts: Phrases, dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> list[EventType]:
    """Tells the newcomer, emits the hand-over message for the channel and pauses the bot."""
    dispatcher.utter_message(text=texts.say("handover", language))
    dispatcher.utter_message(json_message={"handover": handover_request(tracker, language)})
    return [ConversationPaused()]


def handover_request(tracker: Tracker, language: str) -> dict[str, Any]:
    intent = tracker.latest_message.get("intent", {}).get("name")
    said = [event.get("text") or "" for event in tracker.events if event.get("event") == "user"]
    return {
        "language": language,
        "topic": tracker.get_slot("topic"),
        "priority": "urgent" if intent == EMERGENCY else "normal",
        "reason": intent,
        "summary": [text[:SUMMARY_CHARACTERS] for text in said[-SUMMARY_MESSAGES:]],
    }
