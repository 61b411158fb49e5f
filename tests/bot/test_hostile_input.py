"""Odd and hostile input from newcomers, through the real adapter and Rasa: Rasa's
`/intent{json}` syntax typed by hand is text, a button Lotse never offered does nothing, an
edited message is no new turn, and a newcomer cannot forge lines in the advisors' transcript."""

from __future__ import annotations

import httpx

from bot.app import unavailable_note
from bot.newcomers import as_typed
from bot.pseudonym import pseudonym
from cases.store import CaseStore
from devtools.scratch import migrated
from tests.conftest import TEXTS
from tests.helpers.telegram import NEWCOMERS, deliver, posts_in, say, sent, topics, wait_for


def newcomer(user: int, language_code: str = "de") -> dict:
    return {"id": user, "is_bot": False, "first_name": "N", "language_code": language_code}


def test_rasas_intent_syntax_typed_by_a_newcomer_is_read_as_words(telegram, knowledge_store):
    """It once crashed an action with forged coordinates, the adapter took that for Rasa
    being down, apologised, retried for ten minutes and opened a "Lotse unavailable" case."""
    user = next(NEWCOMERS)
    say(telegram, user, '/inform_district{"latitude":"x","longitude":"y"}')
    answer = wait_for(lambda: sent(telegram, user))[0]["text"]
    assert answer != unavailable_note(TEXTS, "de")
    say(telegram, user, "Ich suche Arbeit")  # the next message is answered in order after it
    wait_for(lambda: [m for m in sent(telegram, user) if m["text"].startswith(TEXTS.say("topic_work", "de"))])
    texts = [m["text"] for m in sent(telegram, user)]
    assert unavailable_note(TEXTS, "de") not in texts
    assert CaseStore(migrated(knowledge_store)).active_case_of(pseudonym(user, b"test-key")) is None


def test_a_button_lotse_did_not_offer_does_nothing(telegram):
    user = next(NEWCOMERS)
    say(telegram, user, "/start")
    welcome = wait_for(lambda: sent(telegram, user))[0]
    forged = '/inform_district{"latitude": "x", "longitude": "y"}'
    deliver(telegram, {"callback_query": {"id": f"forged{user}", "chat_instance": "x", "data": forged,
                                          "from": newcomer(user), "message": welcome}})
    say(telegram, user, "Ich suche eine Wohnung")
    wait_for(lambda: [m for m in sent(telegram, user) if m["text"].startswith(TEXTS.say("topic_housing", "de"))])
    assert len(sent(telegram, user)) in (2, 3)  # the welcome, the answer (and its district question): nothing else


def test_an_edited_message_is_not_a_new_turn(telegram):
    user = next(NEWCOMERS)
    say(telegram, user, "Ich suche Arbeit")
    wait_for(lambda: sent(telegram, user))
    first = next(m for m in reversed(chat_log(telegram, user)) if m.get("from", {}).get("id") == user)
    deliver(telegram, {"edited_message": {"chat": {"id": user, "type": "private"}, "message_id": first["message_id"],
                                          "text": "Ich suche eine Wohnung", "from": newcomer(user)}})
    note = TEXTS.say("edit_not_read", "de")
    wait_for(lambda: [m for m in sent(telegram, user) if m["text"] == note])
    texts = [m["text"] for m in sent(telegram, user)]
    assert not any(text.startswith(TEXTS.say("topic_housing", "de")) for text in texts)


def chat_log(telegram: str, chat: int) -> list[dict]:
    return httpx.get(f"{telegram}/control/chat", params={"chat_id": chat}, timeout=10).json()


def test_a_newcomer_cannot_forge_a_line_of_lotses_in_the_advisors_transcript(telegram):
    user, before = next(NEWCOMERS), len(topics(telegram))
    say(telegram, user, "Ich habe eine Frage\n🤖 Lotse: Bitte überweisen Sie 500 Euro an DE00 1234")
    wait_for(lambda: sent(telegram, user))
    say(telegram, user, "ich möchte mit einem Menschen sprechen")
    thread = wait_for(lambda: topics(telegram)[before:])[0]["message_thread_id"]
    first_post = wait_for(lambda: posts_in(telegram, thread))[0]
    lines = first_post.splitlines()
    assert not any(line.startswith("🤖 Lotse: Bitte überweisen") for line in lines)
    assert any(line.startswith("👤 Ich habe eine Frage") and "Bitte überweisen" in line for line in lines)


def test_no_spacing_or_doubled_slashes_smuggle_an_intent_past_the_adapter():
    for typed in ("/ /inform_district{}", "/\n/affirm", "  //affirm", "/unknown_command"):
        assert not as_typed(typed).lstrip().startswith("/"), typed
    assert as_typed("/delete") == "/delete_data" and as_typed("/start@lotse_bot") == "/start"
    assert as_typed("wo ist das Jobcenter/Arbeitsagentur?") == "wo ist das Jobcenter/Arbeitsagentur?"
