"""Safety first: a likely emergency is never lost to another intent or to the fallback, and an
ordinary worried question the model is unsure about does not set off an urgent hand-over."""

import asyncio
from collections.abc import Callable

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import Emergency
from nlu.components import EmergencyBars, read_danger
from nlu.crisis import Danger
from tests.conftest import TEXTS

BARS = EmergencyBars(min_confidence=0.2, certain_confidence=0.97, crisis_min_confidence=0.0)


def test_an_emergency_ranked_second_is_still_read_when_it_is_likely_enough():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "ask_housing", "confidence": 0.45},
        {"name": "emergency", "confidence": 0.3},
    ]
    assert read_danger(ranking, names_a_crisis=False, bars=BARS) is Danger.POSSIBLE


def test_an_unlikely_emergency_does_not_override_the_answer():
    ranking = [{"name": "ask_housing", "confidence": 0.9}, {"name": "emergency", "confidence": 0.05}]
    assert read_danger(ranking, names_a_crisis=False, bars=BARS) is None


def test_without_a_crisis_term_only_a_very_sure_model_makes_an_emergency_certain():
    sure = [{"name": "emergency", "confidence": 0.98}, {"name": "ask_health", "confidence": 0.02}]
    unsure = [{"name": "emergency", "confidence": 0.9}, {"name": "ask_health", "confidence": 0.1}]
    assert read_danger(sure, names_a_crisis=False, bars=BARS) is Danger.CERTAIN
    assert read_danger(unsure, names_a_crisis=False, bars=BARS) is Danger.POSSIBLE


def test_a_crisis_term_makes_it_certain_but_the_model_must_still_see_some_danger():
    ranking = [{"name": "ask_housing", "confidence": 0.9}, {"name": "emergency", "confidence": 0.06}]
    bars = EmergencyBars(min_confidence=0.8, certain_confidence=0.97, crisis_min_confidence=0.05)
    assert read_danger(ranking, names_a_crisis=True, bars=bars) is Danger.CERTAIN
    assert read_danger(ranking, names_a_crisis=False, bars=bars) is None
    higher = EmergencyBars(min_confidence=0.8, certain_confidence=0.97, crisis_min_confidence=0.1)
    assert read_danger(ranking, names_a_crisis=True, bars=higher) is None


@pytest.fixture
def emergency_reply(resources) -> Callable[[str, str], tuple[list[dict], list[dict]]]:
    """What action_emergency sends for a worried question the model read as an emergency
    (0.6) with the given `danger`, and the events it returns."""
    def reply(danger: str, language: str) -> tuple[list[dict], list[dict]]:
        message = {"text": "my child has had a rash for two weeks", "entities": [], "metadata": {},
                   "intent": {"name": "emergency", "confidence": 0.6}, "danger": danger,
                   "intent_ranking": [{"name": "emergency", "confidence": 0.6},
                                      {"name": "ask_health", "confidence": 0.3},
                                      {"name": "ask_children_school", "confidence": 0.1}]}
        tracker = Tracker("danger-test", {"language": language}, message, [], False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        events = asyncio.run(Emergency(resources).run(dispatcher, tracker, {}))
        return dispatcher.messages, events

    return reply


@pytest.mark.parametrize("language", ["ar", "prs", "uk", "de", "en"])
def test_a_possible_emergency_gets_the_numbers_and_a_question_not_an_urgent_hand_over(emergency_reply, language):
    messages, events = emergency_reply("possible", language)
    (question,) = messages
    assert question["text"] == TEXTS.say("danger_check", language)
    assert "112" in question["text"] and "110" in question["text"]
    assert question["buttons"][0] == {"title": TEXTS.say("button_in_danger", language), "payload": "/emergency"}
    assert [b["payload"] for b in question["buttons"][1:3]] == ["/ask_health", "/ask_children_school"]
    assert not any(event["event"] == "pause" for event in events)


def test_a_certain_emergency_is_handed_over_urgently_at_once(emergency_reply):
    messages, events = emergency_reply("certain", "uk")
    assert messages[0]["text"] == TEXTS.say("emergency", "uk")
    assert messages[-1]["custom"]["handover"]["priority"] == "urgent"
    assert {"event": "pause", "timestamp": None} in events


def test_the_trained_pipeline_puts_an_unsure_suicidal_message_into_emergency(parse):
    result = parse("i think i will end everything tonight, nothing makes sense")
    assert result["intent"]["name"] == "emergency"
