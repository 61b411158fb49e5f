"""A newcomer learns what is stored and can erase their conversation: through the REST
channel of a running Lotse (`make run`'s servers), because erasing goes through Rasa's API."""

from __future__ import annotations

import secrets
import time

import pytest
import requests

from bot.local import PROJECT_ROOT, free_port, start_lotse, stop


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
    yield f"http://127.0.0.1:{rasa_port}", token
    stop(servers)


def say(server: str, sender: str, text: str, language_code: str = "uk") -> list[dict]:
    """One message through Rasa's REST channel, as the adapter sends it."""
    reply = requests.post(f"{server}/webhooks/rest/webhook", timeout=60,
                          json={"sender": sender, "message": text, "metadata": {"language_code": language_code}})
    reply.raise_for_status()
    return reply.json()


def stored_events(server: str, token: str, sender: str) -> list[dict]:
    """Every event Rasa holds of the conversation, in all its sessions, restarts included."""
    reply = requests.get(f"{server}/conversations/{sender}/tracker", params={"token": token, "include_events": "ALL"},
                         timeout=10)
    reply.raise_for_status()
    return reply.json()["events"]


def said_in(events: list[dict]) -> list[str]:
    """What the newcomer wrote or was told, as stored."""
    return [e["text"] for e in events if e["event"] in ("user", "bot") and e.get("text")]


def test_privacy_says_what_is_stored_for_how_long_and_who_sees_it(lotse_server):
    server, _ = lotse_server
    (notice,) = say(server, "privacy-reader", "що ви зберігаєте про мене?")
    assert "Що зберігається" in notice["text"] and "Як довго" in notice["text"] and "Хто це бачить" in notice["text"]


def test_delete_asks_first_then_erases_the_whole_conversation(lotse_server):
    server, token = lotse_server
    say(server, "leaver", "де знайти інтеграційний курс?")
    (question,) = say(server, "leaver", "видаліть мої дані")
    assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]
    (kept,) = say(server, "leaver", "/deny")
    assert kept["text"] == "Гаразд, я нічого не видалив."
    assert "де знайти інтеграційний курс?" in said_in(stored_events(server, token, "leaver"))

    say(server, "leaver", "видаліть мої дані")
    confirmation = say(server, "leaver", "/affirm")
    assert "видалено" in confirmation[0]["text"] and confirmation[1]["custom"] == {"delete_conversation": True}
    deadline = time.monotonic() + 10
    while said_in(stored_events(server, token, "leaver")) and time.monotonic() < deadline:
        time.sleep(0.2)
    events = stored_events(server, token, "leaver")
    assert said_in(events) == [] and not any(e["event"] == "slot" for e in events)
    (fresh,) = say(server, "leaver", "де знайти житло?")
    assert "житл" in fresh["text"]
