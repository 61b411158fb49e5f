"""The adapter's database away for a few seconds — a table gone (renamed), connections cut,
the inbox locked — must not make the adapter deaf: once the database is back, a message
written meanwhile is answered exactly once, and while a statement waits on a lock the
adapter keeps serving (no database call blocks its event loop)."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid

import httpx
import pytest
import sqlalchemy as sa

from devtools.local import free_port, wait_until_up
from devtools.scratch import scratch_store
from tests.conftest import POSTGRES_URL, TEXTS
from tests.helpers.telegram import NEWCOMERS, say, sent, wait_for

OUTAGE_SECONDS = 4
QUESTION, FOLLOW_UP = "Ich suche Arbeit, wer hilft mir?", "Wo ist das?"


@pytest.fixture
def adapter_on(lotse_stack, request, tmp_path):
    """Starts the stack's adapter on a store of its own (`sqlite` or `postgresql`) with its
    health check on; yields (health URL, database URL for the test, connection name)."""
    port, name = free_port(), f"lotse_db_faults_{uuid.uuid4().hex[:8]}"

    def start(url: str) -> None:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again(DATABASE_URL=url, LOTSE_HTTP_PORT=str(port), LOTSE_RETRY_SECONDS="1")
        wait_until_up(f"http://127.0.0.1:{port}/health", [lotse_stack.servers[-1]], seconds=60)

    try:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'adapter.db'}"
            start(url)
            yield f"http://127.0.0.1:{port}/health", url, name
        else:
            with scratch_store(POSTGRES_URL) as url:
                start(f"{url}&application_name={name}")
                yield f"http://127.0.0.1:{port}/health", url, name
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()


def answered_once(telegram: str, user: int, before: int) -> None:
    """The question is answered once: its answer came, then the answer to a follow-up (the
    newcomer's messages are handled in order, so a doubled answer would have come first)."""
    wait_for(lambda: sent(telegram, user)[before:], seconds=90)
    say(telegram, user, FOLLOW_UP)
    where = TEXTS.say("where_intro", "de")
    wait_for(lambda: [m for m in sent(telegram, user)[before:] if m["text"].startswith(where)], seconds=60)
    texts = [m["text"] for m in sent(telegram, user)[before:]]
    assert sum(text.startswith(TEXTS.say("topic_work", "de")) for text in texts) == 1, texts


def working(telegram: str) -> tuple[int, int]:
    """A newcomer whose first question was answered: the adapter works on its store."""
    user = next(NEWCOMERS)
    say(telegram, user, "hallo")
    wait_for(lambda: sent(telegram, user), seconds=60)
    return user, len(sent(telegram, user))


@pytest.mark.parametrize("adapter_on", ["sqlite"], indirect=True)
def test_an_inbox_table_gone_for_seconds_loses_no_message_sqlite(lotse_stack, adapter_on):
    telegram, (health, url, _) = lotse_stack.bot_api, adapter_on
    user, before = working(telegram)
    database = sqlite3.connect(url.removeprefix("sqlite:///"))
    database.execute("ALTER TABLE telegram_updates RENAME TO telegram_updates_away")
    database.commit()
    say(telegram, user, QUESTION)
    time.sleep(OUTAGE_SECONDS)  # the outage itself
    database.execute("ALTER TABLE telegram_updates_away RENAME TO telegram_updates")
    database.commit()
    database.close()
    answered_once(telegram, user, before)
    assert httpx.get(health, timeout=10).status_code == 200


@pytest.mark.parametrize("adapter_on", ["postgresql"], indirect=True)
def test_a_locked_inbox_and_cut_connections_lose_no_message_and_do_not_block_the_adapter(lotse_stack, adapter_on):
    telegram, (health, url, name) = lotse_stack.bot_api, adapter_on
    user, before = working(telegram)
    admin = sa.create_engine(url, future=True)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with admin.begin() as connection:
            connection.execute(sa.text("LOCK TABLE telegram_updates IN ACCESS EXCLUSIVE MODE"))
            connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE application_name = :name"), {"name": name})
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(30)
        say(telegram, user, QUESTION)
        wait_for(lambda: httpx.get(f"{telegram}/control/timeline", params={"since": 0}, timeout=10).json())
        time.sleep(1)  # the adapter has fetched the message and waits on the lock to store it
        assert httpx.get(health, timeout=3).status_code == 200  # still serving meanwhile
        time.sleep(OUTAGE_SECONDS - 1)
    finally:
        release.set()
        holder.join()
        admin.dispose()
    answered_once(telegram, user, before)
