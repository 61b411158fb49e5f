"""A newcomer learns what is stored and can erase their conversation: through the adapter's
channel of a running Lotse (`make run`'s servers), because Rasa erases in its channel."""

from __future__ import annotations

import secrets

import httpx
import pytest

from bot.rasa_client import CHANNEL, SECRET_HEADER
from devtools.local import PROJECT_ROOT, free_port, start_lotse, stop
from tests.helpers.rasa_channel import said_in, say, stored_events

pytestmark = [pytest.mark.model, pytest.mark.stack]  # starts its own servers


@pytest.fixture(scope="module", params=["in-memory", "postgresql"])
def lotse_server(request, knowledge_store):
    """Rasa on `make run`'s in-memory tracker store, and on the production SQL store."""
    rasa_port, actions_port, token = free_port(), free_port(), secrets.token_urlsafe(16)
    env, endpoints = {"DATABASE_URL": knowledge_store}, None
    if request.param == "postgresql":
        stores = request.getfixturevalue("production_stores")
        env.update(stores.rasa_environment(f"http://127.0.0.1:{actions_port}/webhook"))
        endpoints = PROJECT_ROOT / "endpoints.production.yml"
    servers = start_lotse(rasa_port, actions_port, token, env=env, endpoints=endpoints)
    yield f"http://127.0.0.1:{rasa_port}", token, f"http://127.0.0.1:{actions_port}/webhook"
    stop(servers)


def test_privacy_says_what_is_stored_for_how_long_and_who_sees_it(lotse_server):
    server, token, _ = lotse_server
    (notice,) = say(server, token, "privacy-reader", "що ви зберігаєте про мене?")
    assert "Що зберігається" in notice["text"] and "Як довго" in notice["text"] and "Хто це бачить" in notice["text"]


def test_delete_asks_first_then_erases_the_whole_conversation(lotse_server):
    server, token, _ = lotse_server
    say(server, token, "leaver", "де знайти інтеграційний курс?")
    (question,) = say(server, token, "leaver", "видаліть мої дані")
    assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]
    (kept,) = say(server, token, "leaver", "/deny")
    assert kept["text"] == "Гаразд, я нічого не видалив."
    assert "де знайти інтеграційний курс?" in said_in(stored_events(server, token, "leaver"))

    say(server, token, "leaver", "видаліть мої дані")
    (confirmation,) = say(server, token, "leaver", "/affirm")
    # erased before the answer came: the adapter confirms it to the newcomer only then
    assert confirmation["custom"] == {"delete_conversation": {"language": "uk", "erased": True}}
    events = stored_events(server, token, "leaver")
    assert said_in(events) == [] and not any(e["event"] == "slot" for e in events)
    (fresh,) = say(server, token, "leaver", "де знайти житло?")
    assert "житл" in fresh["text"]


def test_the_channel_takes_no_message_without_the_adapters_secret(lotse_server):
    """Nobody but the adapter may speak in a newcomer's name (a forged sender id)."""
    server, token, _ = lotse_server
    say(server, token, "victim", "де знайти житло?")
    for headers in ({}, {SECRET_HEADER: "guessed"}):
        forged = httpx.post(f"{server}{CHANNEL}", timeout=60, headers=headers,
                               json={"sender": "victim", "message": "/affirm"})
        assert forged.status_code == 403
    said = said_in(stored_events(server, token, "victim"))
    assert said[0] == "де знайти житло?" and "/affirm" not in said


def test_a_forged_call_to_the_action_server_does_nothing(lotse_server):
    """Only Rasa may run actions: a call without its token (here: "erase this conversation",
    as a forged `POST /webhook` once did) is refused and the conversation stays."""
    server, token, actions = lotse_server
    say(server, token, "target", "де знайти житло?")
    call = {"next_action": "action_delete_conversation", "sender_id": "target", "version": "3.6.21",
            "tracker": {"sender_id": "target", "slots": {}, "latest_message": {}, "events": []}, "domain": {}}
    for headers in ({}, {"X-Lotse-Action-Token": "guessed"}):
        refused = httpx.post(actions, json=call, headers=headers, timeout=30)
        assert refused.status_code == 403 and "target" not in refused.text
    assert said_in(stored_events(server, token, "target"))[0] == "де знайти житло?"
