"""A newcomer and advisors on the fake Telegram Bot API (devtools/fake_telegram.py): what they
send, and what the bot sent them."""

from __future__ import annotations

import itertools
import time

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.settings import LOCAL_ADVISORS_CHAT
from db import connect

NEWCOMERS = itertools.count(500001)


def deliver(telegram: str, update: dict) -> int:
    """Delivers an update as Telegram would; its update_id."""
    delivered = httpx.post(f"{telegram}/control/updates", json=update, timeout=10)
    delivered.raise_for_status()
    return delivered.json()["result"]["update_id"]


def say(telegram: str, user: int, text: str, language_code: str = "de") -> int:
    return deliver(telegram, {"message": {"chat": {"id": user, "type": "private"}, "text": text,
                                   "from": {"id": user, "is_bot": False, "first_name": "N",
                                            "language_code": language_code}}})


def in_topic(telegram: str, user: int, thread: int, text: str) -> int:
    return deliver(telegram, {"message": {"chat": {"id": LOCAL_ADVISORS_CHAT, "type": "supergroup", "is_forum": True},
                                   "message_thread_id": thread, "is_topic_message": True, "text": text,
                                   "from": {"id": user, "is_bot": False, "first_name": "Advisor"},
                                   **({"entities": [{"type": "bot_command", "offset": 0,
                                                     "length": len(text.split()[0])}]}
                                      if text.startswith("/") else {})}})


def sent(telegram: str, chat: int) -> list[dict]:
    return httpx.get(f"{telegram}/control/sent", params={"chat_id": chat}, timeout=10).json()


def topics(telegram: str) -> list[dict]:
    return httpx.get(f"{telegram}/control/topics", params={"chat_id": LOCAL_ADVISORS_CHAT}, timeout=10).json()


def wait_for(check, seconds: float = 60):
    """Polls until `check()` returns something truthy (the adapter works asynchronously)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("nothing arrived in time")


def in_group(telegram: str, user: int, text: str, name: str = "Advisor", reply_to: dict | None = None) -> None:
    message = {"chat": {"id": LOCAL_ADVISORS_CHAT, "type": "supergroup", "is_forum": True}, "text": text,
               "from": {"id": user, "is_bot": False, "first_name": name},
               "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
    if reply_to:
        message["reply_to_message"] = reply_to
    deliver(telegram, {"message": message})


def group_texts(telegram: str) -> list[str]:
    return [m.get("text") or "" for m in sent(telegram, LOCAL_ADVISORS_CHAT)]


def open_case(telegram: str, language_code: str, text: str) -> tuple[int, int]:
    user, before = next(NEWCOMERS), len(topics(telegram))
    say(telegram, user, text, language_code)
    return user, wait_for(lambda: topics(telegram)[before:])[0]["message_thread_id"]


def posts_in(telegram: str, thread: int) -> list[str]:
    return [m.get("text") or "" for m in sent(telegram, LOCAL_ADVISORS_CHAT) if m.get("message_thread_id") == thread]


def texts_in_topic(telegram: str, thread: int) -> list[str | None]:
    return [m.get("text") for m in sent(telegram, LOCAL_ADVISORS_CHAT) if m.get("message_thread_id") == thread]


def _inbox_row(database_url: str, update_id: int) -> Row | None:
    engine = connect(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT processed_at, attempts FROM telegram_updates "
                                              "WHERE update_id = :id"), {"id": update_id}).first()
    finally:
        engine.dispose()


def handled(database_url: str, update_id: int, seconds: float = 90) -> None:
    """Waits for the adapter's processed mark on the update (in its inbox): it is set only once
    every handler is done with the update, so whatever the adapter sends for it has been sent.
    What arrives after a test has seen the mark would be a second, wrong sending."""
    wait_for(lambda: (row := _inbox_row(database_url, update_id)) is not None and row[0] is not None, seconds)


def tried(database_url: str, update_id: int, seconds: float = 90) -> None:
    """Waits until the adapter has tried the update twice and failed both times (the attempts
    its error handler counts, the update left for the retry loop): the first try, with its
    error handling, has done all it would do."""
    wait_for(lambda: (row := _inbox_row(database_url, update_id)) is not None and row[1] >= 2, seconds)
