"""Rasa's SQL tracker store as Lotse runs it in production (rasa_server/tracker_store.py), on
SQLite and on the machine's PostgreSQL: `/delete` leaves nothing of a conversation, a
conversation that goes on stores each event once, and one that could not be read fails the
message (which the adapter keeps and retries) instead of being started afresh."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server.tracker_store import ErasingSQLTrackerStore
from tests.conftest import PROJECT_ROOT

DOMAIN = Domain.load(PROJECT_ROOT / "domain.yml")


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request, tmp_path) -> Callable[[], ErasingSQLTrackerStore]:
    """Opens the store as one more Rasa replica would: its own connections, its own memory."""
    if request.param == "sqlite":
        return lambda: ErasingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    url = sa.engine.make_url(request.getfixturevalue("production_stores").database_url)
    return lambda: ErasingSQLTrackerStore(domain=DOMAIN, dialect="postgresql", host=url.host, port=url.port,
                                          db=url.database, username=url.username, password=url.password)


@pytest.fixture
def store(open_store) -> ErasingSQLTrackerStore:
    return open_store()


def turn(text: str, answer: str) -> list:
    return [UserUttered(text, {"name": "ask_housing", "confidence": 0.9}), SlotSet("language", "uk"),
            BotUttered(answer), ActionExecuted("action_listen")]


def rows_of(store: ErasingSQLTrackerStore, sender: str) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(sa.text("SELECT type_name FROM events WHERE sender_id = :sender ORDER BY id"),
                                       {"sender": sender}).scalars())


def run(coroutine):
    return asyncio.new_event_loop().run_until_complete(coroutine)


def test_replacing_a_conversation_with_nothing_erases_every_session_of_it(store):
    sender, other = f"leaver-{uuid.uuid4().hex[:8]}", f"stayer-{uuid.uuid4().hex[:8]}"
    for who in (sender, other):
        tracker = DialogueStateTracker.from_events(who, [ActionExecuted("action_listen"), *turn("де житло?", "Тут"),
                                                         SessionStarted(), *turn("а курси?", "Там")], DOMAIN.slots)
        run(store.save(tracker))
    assert len(rows_of(store, sender)) == 10

    run(store.save(DialogueStateTracker.from_dict(sender, [], DOMAIN.slots)))  # what `/delete` asks Rasa for

    assert rows_of(store, sender) == [] and run(store.retrieve_full_tracker(sender)) is None
    assert len(rows_of(store, other)) == 10  # nobody else's conversation


def test_a_conversation_going_on_stores_each_event_once_in_order(store):
    sender = f"newcomer-{uuid.uuid4().hex[:8]}"
    run(store.save(DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")], DOMAIN.slots)))
    sent = [ActionExecuted("action_listen")]
    for events in [turn("де житло?", "Тут"), [SessionStarted(), ActionExecuted("action_listen")],
                   turn("а курси?", "Там"), turn("дякую", "Будь ласка")]:
        tracker = run(store.retrieve(sender))  # the latest session only, as Rasa reads it per message
        for event in events:
            tracker.update(event)
        run(store.save(tracker))
        run(store.save(tracker))  # saved again unchanged (Rasa does so around a new session): nothing doubles
        sent += events

    stored = run(store.retrieve_full_tracker(sender)).events
    assert [(e.type_name, getattr(e, "text", None)) for e in stored] == [
        (e.type_name, getattr(e, "text", None)) for e in sent]
    assert len(rows_of(store, sender)) == len(sent)


def test_a_conversation_another_replica_went_on_with_or_erased_is_read_again(open_store):
    here, there = open_store(), open_store()
    sender = f"newcomer-{uuid.uuid4().hex[:8]}"
    run(here.save(DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")], DOMAIN.slots)))
    for replica, (text, answer) in zip((here, here, there), [("де житло?", "Тут"), ("а курси?", "Там"),
                                                             ("дякую", "Будь ласка")], strict=True):
        tracker = run(replica.retrieve(sender))
        for event in turn(text, answer):
            tracker.update(event)
        run(replica.save(tracker))

    went_on = run(here.retrieve(sender))  # `here` kept its own copy, one turn behind
    assert [e.text for e in went_on.events if e.type_name == "user"] == ["де житло?", "а курси?", "дякую"]
    run(here.save(went_on))

    run(there.save(DialogueStateTracker.from_dict(sender, [], DOMAIN.slots)))  # erased on the other replica
    assert run(here.retrieve(sender)) is None


def test_a_conversation_that_could_not_be_read_fails_the_message_and_is_kept(store, monkeypatch):
    sender = f"newcomer-{uuid.uuid4().hex[:8]}"
    run(store.save(DialogueStateTracker.from_events(sender,
                                                    [ActionExecuted("action_listen"), *turn("де житло?", "Тут")],
                                                    DOMAIN.slots)))

    def unreachable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(store, "_event_query", unreachable)
    # As Rasa reads a conversation for a message, through the FailSafeTrackerStore it wraps
    # every store in: without the store's fix it went on with an empty conversation and saved it.
    with pytest.raises(sa.exc.OperationalError):
        run(FailSafeTrackerStore(store).get_or_create_tracker(sender, append_action_listen=False))
    monkeypatch.undo()
    assert len(rows_of(store, sender)) == 5
    assert [e.text for e in run(store.retrieve(sender)).events if e.type_name == "user"] == ["де житло?"]
