"""Faults around the adapter, each checked for loss and duplication: Telegram answering 429 or
a server error, the action server dying mid-conversation, Rasa away while an advisor closes a
case, the database connection cut. After recovery every message is answered once and no
advisor's action is lost."""

from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy as sa

from bot.app import unavailable_note
from bot.settings import LOCAL_ADVISOR
from devtools.local import free_port
from devtools.scratch import scratch_store
from tests.conftest import POSTGRES_URL, TEXTS
from tests.helpers.telegram import NEWCOMERS, in_topic, open_case, say, sent, topics, wait_for


def inject(telegram: str, **fault) -> None:
    httpx.post(f"{telegram}/control/faults", json=fault, timeout=10).raise_for_status()


def faults_left(telegram: str, chat_id: int) -> list[dict]:
    return [f for f in httpx.get(f"{telegram}/control/faults", timeout=10).json() if f.get("chat_id") == chat_id]


@pytest.mark.parametrize("status", [429, 502, 500])
def test_telegram_stumbling_delays_the_answer_but_it_arrives_once(lotse_stack, telegram, status):
    user = next(NEWCOMERS)
    inject(telegram, method="sendMessage", status=status, retry_after=1, times=2, chat_id=user)
    lotse_stack.handled(say(telegram, user, "Ich suche Arbeit, wer hilft mir?"))
    answers = sent(telegram, user)
    assert len(answers) == 1 and "Arbeit" in answers[0]["text"]
    assert faults_left(telegram, user) == []  # both refusals were met, and waited out


def test_while_the_action_server_is_down_a_message_is_kept_and_answered_once_it_is_back(lotse_stack):
    telegram, user = lotse_stack.bot_api, next(NEWCOMERS)
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again(LOTSE_RETRY_SECONDS="1", LOTSE_GIVE_UP_SECONDS="300")
    lotse_stack.crash_actions()
    try:
        question = say(telegram, user, "Ich suche eine Wohnung, wer hilft mir?")
        apology = wait_for(lambda: sent(telegram, user))[0]["text"]
        assert apology == unavailable_note(TEXTS, "de")
        lotse_stack.start_actions_again()
        lotse_stack.handled(question)
        texts = [m["text"] for m in sent(telegram, user)]
        assert texts.count(apology) == 1 and sum("Wohn" in text for text in texts) == 1, texts
    finally:
        if lotse_stack.servers[0].poll() is not None:
            lotse_stack.start_actions_again()
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()


def test_an_advisors_close_while_rasa_is_away_takes_effect_once_rasa_is_back(lotse_stack):
    telegram = lotse_stack.bot_api
    user, thread = open_case(telegram, "en", "I want to talk to a person")
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again(RASA_URL=f"http://127.0.0.1:{free_port()}", LOTSE_RETRY_SECONDS="1")
    try:
        in_topic(telegram, LOCAL_ADVISOR, thread, "Your appointment is on Monday.")
        close = in_topic(telegram, LOCAL_ADVISOR, thread, "/close")
        wait_for(lambda: [m for m in sent(telegram, user) if m.get("text") == "Your appointment is on Monday."])
        lotse_stack.tried(close)  # /close cannot resume the conversation without Rasa
        assert not [m for m in sent(telegram, user) if "closed the conversation" in (m.get("text") or "")]
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again(LOTSE_RETRY_SECONDS="1")
    try:
        lotse_stack.handled(close)
        texts = [m.get("text") for m in sent(telegram, user)]
        assert texts.count("Your appointment is on Monday.") == 1
        assert sum("closed the conversation" in (text or "") for text in texts) == 1
        answered = len(texts)
        say(telegram, user, "where can I learn German?", "en")  # Lotse answers again
        reply = wait_for(lambda: sent(telegram, user)[answered:], seconds=60)[0]["text"]
        assert reply.startswith("These places in Bielefeld help with language courses")
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()


@pytest.fixture
def adapter_on_postgresql(lotse_stack):
    """The stack's adapter on a schema of its own in the machine's PostgreSQL, its
    connections named so that a test can cut them."""
    name = f"lotse_faults_{uuid.uuid4().hex[:8]}"
    with scratch_store(POSTGRES_URL) as url:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again(DATABASE_URL=f"{url}&application_name={name}")
        yield name
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()


def test_a_dropped_database_connection_loses_no_message(lotse_stack, adapter_on_postgresql):
    telegram, user = lotse_stack.bot_api, next(NEWCOMERS)
    admin = sa.create_engine(POSTGRES_URL, future=True)
    lotse_stack.handled(say(telegram, user, "Ich suche Arbeit, wer hilft mir?"))
    answered = len(sent(telegram, user))
    with admin.begin() as connection:
        cut = connection.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE application_name = :name"),
                                 {"name": adapter_on_postgresql}).scalar_one()
    admin.dispose()
    assert cut >= 1  # the adapter's connections are gone
    lotse_stack.handled(say(telegram, user, "Wo ist das?"))
    where = TEXTS.say("where_intro", "de")
    assert [m["text"].startswith(where) for m in sent(telegram, user)[answered:]] == [True]


def test_while_rasa_is_away_a_message_in_crisis_goes_to_an_advisor_at_once_as_urgent(lotse_stack):
    """Not after LOTSE_GIVE_UP_SECONDS: the crisis words of the NLU's lexicon are enough, and
    the newcomer's one apology carries the emergency numbers."""
    telegram, user, before = lotse_stack.bot_api, next(NEWCOMERS), len(topics(lotse_stack.bot_api))
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again(RASA_URL=f"http://127.0.0.1:{free_port()}", LOTSE_GIVE_UP_SECONDS="3600")
    try:
        say(telegram, user, "Hilfe, mein Mann schlägt mich, ich habe Angst")
        topic = wait_for(lambda: topics(telegram)[before:], seconds=60)[0]
        assert topic["name"].startswith("🔴 #")
        texts = [m["text"] for m in sent(telegram, user)]
        assert texts[0] == unavailable_note(TEXTS, "de") and "116 016" in texts[0]
        assert wait_for(lambda: "Hilfe, mein Mann schlägt mich, ich habe Angst" in [
            m.get("text") for m in sent(telegram, -1001000000001)
            if m.get("message_thread_id") == topic["message_thread_id"]])
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()
