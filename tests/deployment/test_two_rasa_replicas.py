"""Two Rasa servers share the machine's PostgreSQL (SQLTrackerStore) and Redis (RedisLockStore)
through endpoints.production.yml, as replicas behind a load balancer would. One conversation
goes back and forth between them, some messages at the same moment on both: the conversation
stays one, every message is in it once, in the order it was answered, and both replicas tell
the same story."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from devtools.local import PROJECT_ROOT, free_port, start_rasa, stop, wait_until_up
from tests.conftest import ACTION_TOKEN
from tests.helpers.rasa_channel import say, stored_events


@pytest.fixture
def two_replicas(production_stores, action_server) -> Iterator[tuple[list[str], str, str]]:
    token = secrets.token_urlsafe(16)
    environment = production_stores.rasa_environment(action_server)
    ports = [free_port(), free_port()]
    servers = [start_rasa(port, token, PROJECT_ROOT / "endpoints.production.yml", env=environment,
                          action_token=ACTION_TOKEN) for port in ports]
    try:
        for port in ports:
            wait_until_up(f"http://127.0.0.1:{port}/", servers)
        yield [f"http://127.0.0.1:{port}" for port in ports], token, production_stores.database_url
    finally:
        stop(servers)


def test_one_conversation_alternating_between_two_replicas_stays_consistent(two_replicas):
    (first, second), token, database_url = two_replicas
    sender = f"replica-{uuid.uuid4().hex[:8]}"
    one_after_another = ["Hallo", "Ich suche eine Wohnung", "Wo ist das?", "Wann hat es offen?",
                         "Und wo gibt es Deutschkurse?", "danke"]
    at_once = [("Ich brauche Arbeit", "Wie verlängere ich meinen Aufenthaltstitel?"),
               ("Wo melde ich meine Adresse an?", "Gibt es Integrationskurse am Abend?"),
               ("Ich suche einen Minijob", "Wo ist das Jobcenter?"),
               ("Hilfe bei der Wohnungssuche", "Brauche ich einen Termin?")]

    for number, text in enumerate(one_after_another):
        assert say((first, second)[number % 2], token, sender, text, "de"), text
    with ThreadPoolExecutor(2) as pool:
        for pair in at_once:
            answers = list(pool.map(lambda replica_text: say(replica_text[0], token, sender, replica_text[1], "de"),
                                    zip((first, second), pair, strict=True)))
            assert all(answers), pair

    seen_by_first, seen_by_second = stored_events(first, token, sender), stored_events(second, token, sender)
    assert seen_by_first == seen_by_second
    said = [event["text"] for event in seen_by_first if event["event"] == "user"]
    sent = one_after_another + [text for pair in at_once for text in pair]
    assert sorted(said) == sorted(sent)  # each once: nothing lost, nothing doubled
    assert said[:len(one_after_another)] == one_after_another
    # Under the lock each message is answered before the next is read: user, actions…, listen.
    turns = [event["event"] for event in seen_by_first if event["event"] in ("user", "action")
             and not (event["event"] == "action" and event["name"] == "action_session_start")]
    for index, kind in enumerate(turns):
        if kind == "user" and index + 1 < len(turns):
            assert turns[index + 1] == "action", turns
    listens = [e for e in seen_by_first if e["event"] == "action" and e["name"] == "action_listen"]
    assert len(listens) >= len(sent)

    stored = sa.create_engine(database_url, future=True)
    with stored.connect() as connection:
        rows = connection.execute(sa.text("SELECT count(*) FROM events "
                                          "WHERE sender_id = :sender AND type_name = 'user'"),
                                  {"sender": sender}).scalar_one()
    stored.dispose()
    assert rows == len(sent)  # the conversation lives in PostgreSQL, once
