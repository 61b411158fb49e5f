"""The hand-over to a person: the newcomer is told, the channel gets what the advisors need
(language, topic, priority, the last few messages), and the bot pauses."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LotseAction, language_of

SUMMARY_MESSAGES, SUMMARY_CHARACTERS = 3, 200


class HandOver(LotseAction):
    """Hands the conversation to an advisor: tells the newcomer, emits a hand-over message for
    the channel (language, topic, priority, short summary) and pauses the bot until the
    advisor's side resumes the conversation."""

    def name(self) -> str:
        return "action_hand_over"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=self.texts.say("handover", language))
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
