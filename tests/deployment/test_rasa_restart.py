"""Rasa killed and started again, mid-conversation and mid-hand-over, on the production stores
(SQLTrackerStore on the machine's PostgreSQL, the Redis lock store) behind the real adapter and
the fake Telegram Bot API: what Rasa knew of a conversation survives, every newcomer message
sent meanwhile is answered or relayed exactly once, and no advisor's reply or /close is lost."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from bot.app import unavailable_note
from bot.settings import LOCAL_ADVISOR
from devtools.local import PROJECT_ROOT, free_port, kill, start_adapter, start_rasa, stop, wait_until_up
from devtools.scratch import scratch_store
from tests.conftest import ACTION_TOKEN, POSTGRES_URL, TEXTS
from tests.helpers.telegram import NEWCOMERS, handled, in_topic, say, sent, texts_in_topic, topics, tried, wait_for

BRACKWEDE_OFFICE = "Germanenstraße 22"  # the Bürgerberatung Brackwede (knowledge/entries)


@dataclass
class ProductionStack:
    bot_api: str
    tracker_database: str  # Rasa's alone in this test
    rasa: list[subprocess.Popen]  # the one Rasa server, replaced on restart
    start_rasa: Callable[[], subprocess.Popen]
    adapter_database: str  # the adapter's inbox, where it marks what it has handled

    def handled(self, update_id: int) -> None:
        handled(self.adapter_database, update_id)

    def tried(self, update_id: int) -> None:
        tried(self.adapter_database, update_id)

    def kill_rasa(self) -> None:
        kill(self.rasa[0])

    def start_rasa_again(self) -> None:
        self.rasa[:] = [self.start_rasa()]


@pytest.fixture
def production_stack(production_stores, action_server) -> Iterator[ProductionStack]:
    # A token may start with "-" (token_urlsafe makes one in 64): Rasa must not take it for an option.
    token, rasa_port, bot_api_port = f"-{secrets.token_urlsafe(16)}", free_port(), free_port()
    environment = production_stores.rasa_environment(action_server)

    def start() -> subprocess.Popen:
        rasa = start_rasa(rasa_port, token, PROJECT_ROOT / "endpoints.production.yml", env=environment,
                          action_token=ACTION_TOKEN)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", [rasa])
        return rasa

    tracker_database = sa.engine.make_url(production_stores.database_url).database
    assert tracker_database, "the tracker store's URL names its database"
    with scratch_store(POSTGRES_URL) as adapter_store:
        rasa = [start()]
        adapter = start_adapter(rasa_port, token, bot_api_port, env={
            "DATABASE_URL": adapter_store, "LOTSE_PSEUDONYM_KEY": "test-key", "LOTSE_OFFICE_HOURS": "always",
            "LOTSE_RETRY_SECONDS": "1", "LOTSE_GIVE_UP_SECONDS": "600"})
        try:
            yield ProductionStack(f"http://127.0.0.1:{bot_api_port}", tracker_database, rasa, start, adapter_store)
        finally:
            stop(rasa + adapter)


def test_rasa_restarted_mid_conversation_remembers_it_and_answers_the_waiting_message_once(production_stack):
    telegram, user = production_stack.bot_api, next(NEWCOMERS)
    say(telegram, user, "де зробити анмельдунг нової адреси?", "uk")
    asked = wait_for(lambda: [m for m in sent(telegram, user) if TEXTS.say("district_question", "uk") in m["text"]])
    production_stack.kill_rasa()
    in_brackwede = say(telegram, user, "а в Brackwede?", "uk")
    apology = unavailable_note(TEXTS, "uk")
    wait_for(lambda: [m for m in sent(telegram, user) if m["text"] == apology])
    production_stack.start_rasa_again()

    district = TEXTS.say("district_results", "uk", district="Brackwede")
    production_stack.handled(in_brackwede)
    answered = len(sent(telegram, user))
    production_stack.handled(say(telegram, user, "де це?", "uk"))  # the district chosen before is still known
    where = sent(telegram, user)[answered]["text"]
    assert where.startswith(TEXTS.say("where_intro", "uk")) and BRACKWEDE_OFFICE in where
    texts = [m["text"] for m in sent(telegram, user)]
    assert texts.count(apology) == 1 and sum(district in text for text in texts) == 1, texts
    assert len(asked) == 1 and len(texts) == answered + 1


def test_rasa_restarted_mid_hand_over_loses_no_message_and_no_close(production_stack):
    telegram, user = production_stack.bot_api, next(NEWCOMERS)
    before = len(topics(telegram))
    say(telegram, user, "I want to talk to a person", "en")
    thread = wait_for(lambda: topics(telegram)[before:])[0]["message_thread_id"]
    production_stack.kill_rasa()
    say(telegram, user, "Are you there? It is about my flat")
    in_topic(telegram, LOCAL_ADVISOR, thread, "Yes, I am here. Which street?")
    wait_for(lambda: "Are you there? It is about my flat" in texts_in_topic(telegram, thread))
    wait_for(lambda: [m for m in sent(telegram, user) if m.get("text") == "Yes, I am here. Which street?"])
    close = in_topic(telegram, LOCAL_ADVISOR, thread, "/close")
    production_stack.tried(close)
    closed = TEXTS.say("advisor_closed", "en")
    assert not [m for m in sent(telegram, user) if m.get("text") == closed]  # /close waits for Rasa
    production_stack.start_rasa_again()

    production_stack.handled(close)
    answered = len(sent(telegram, user))
    production_stack.handled(say(telegram, user, "where can I learn German?", "en"))  # Lotse answers again
    reply = sent(telegram, user)[answered]["text"]
    assert reply.startswith("These places in Bielefeld help with language courses")
    to_newcomer = [m.get("text") for m in sent(telegram, user)]
    # The advisor had the message: the newcomer is not told that Lotse cannot answer.
    assert unavailable_note(TEXTS, "en") not in to_newcomer
    assert to_newcomer.count("Yes, I am here. Which street?") == 1 and to_newcomer.count(closed) == 1
    assert texts_in_topic(telegram, thread).count("Are you there? It is about my flat") == 1


def test_rasa_losing_its_database_connections_loses_no_message(production_stack):
    telegram, user = production_stack.bot_api, next(NEWCOMERS)
    production_stack.handled(say(telegram, user, "Ich suche Arbeit, wer hilft mir?"))
    answered = len(sent(telegram, user))
    admin = sa.create_engine(POSTGRES_URL, future=True)
    with admin.begin() as connection:
        cut = connection.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE datname = :database"), {"database": production_stack.tracker_database})
        assert cut.scalar_one() >= 1  # Rasa's connections to its tracker store are gone
    admin.dispose()

    production_stack.handled(say(telegram, user, "Wo ist das?"))
    where = TEXTS.say("where_intro", "de")
    after = [m["text"] for m in sent(telegram, user)[answered:]]
    assert sum(text.startswith(where) for text in after) == 1, after
    assert after.count(unavailable_note(TEXTS, "de")) <= 1, after
