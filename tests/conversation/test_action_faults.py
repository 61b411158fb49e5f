"""A database that cannot be written costs the 👍/👎 buttons, never the newcomer's answer."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import sqlalchemy as sa
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import AnswerTopic, RateAnswer


def tracker(text: str, intent: str) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": [], "metadata": {}}
    return Tracker("fault-test", {"language": "en"}, message, [], False, None, {}, "action_listen")


def test_an_answer_goes_out_without_feedback_buttons_when_the_answer_log_fails(resources, tmp_path):
    unmigrated = sa.create_engine(f"sqlite:///{tmp_path / 'no-tables.db'}", future=True)  # no answers table
    without_a_log = replace(resources, answer_log=unmigrated)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(AnswerTopic(without_a_log).run(
        dispatcher, tracker("where can I find a flat", "ask_housing"), {}))
    (answer,) = dispatcher.messages
    assert "These places in Bielefeld help with housing" in answer["text"]
    assert all(b["payload"] == "/more" for b in answer["buttons"])
    assert {"event": "slot", "name": "answer_id", "value": None, "timestamp": None} in events

    dispatcher = CollectingDispatcher()
    asyncio.run(RateAnswer(without_a_log).run(dispatcher, tracker("👎", "feedback_not_helpful"), {}))
    assert dispatcher.messages[0]["text"].startswith("I am sorry.")
