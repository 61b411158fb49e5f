"""A new session (after an hour of silence) keeps the newcomer's language and district, and
nothing of the question asked before: its words would otherwise be searched again and stay in
the conversation for another session."""

from __future__ import annotations

import asyncio


def slots_now(agent, sender: str) -> dict:
    tracker = asyncio.new_event_loop().run_until_complete(agent.tracker_store.retrieve(sender))
    return tracker.current_slot_values()


def test_a_new_session_keeps_language_and_district_but_not_the_earlier_question(chat, agent):
    chat("Ich suche eine Wohnung, wer hilft mir?", "de")
    chat("und in Brackwede?")
    before = slots_now(agent, chat.sender)
    assert before["topic_query"] and before["district"] == "Brackwede" and before["language"] == "de"
    chat("/session_start")  # what Rasa does itself after an hour of silence
    after = slots_now(agent, chat.sender)
    assert after["language"] == "de" and after["district"] == "Brackwede"
    assert after["topic_query"] is None and after["shown_services"] is None and after["topic"] is None
