"""Telegram saying no: a text longer than a message is sent in parts cut at line ends, HTML
Telegram cannot parse goes out as plain text, a forum topic somebody deleted is made anew,
and an advisors' chat where the bot cannot manage topics stops the adapter at start-up with
a message that says what to change. Against the fake Bot API, which refuses like Telegram."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.lotse import send_text
from bot.settings import LOCAL_ADVISOR, LOCAL_ADVISORS_CHAT
from bot.telegram_text import utf16_length
from devtools.local import PROJECT_ROOT
from devtools.scratch import migrated
from tests.helpers.telegram import NEWCOMERS, in_topic, open_case, posts_in, say, sent, topics, wait_for


def sending(telegram: str, token: str, chat: int, text: str, **options) -> None:
    async def go() -> None:
        async with Bot(token, base_url=f"{telegram}/bot") as bot:
            await send_text(bot, chat, text, **options)

    asyncio.run(go())


def switch_group(telegram: str, **switches: bool) -> None:
    httpx.post(f"{telegram}/control/group", json={"chat_id": LOCAL_ADVISORS_CHAT, **switches},
                  timeout=10).raise_for_status()


def test_a_long_answer_arrives_in_parts_within_telegrams_limit_with_the_buttons_under_the_last(lotse_stack):
    telegram, chat = lotse_stack.bot_api, next(NEWCOMERS)
    lines = [f"<b>Stelle {n}</b> — مكتب الاستشارة 📍 Herforder Straße {n}" for n in range(200)]
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("👍", callback_data="/feedback_helpful")]])
    sending(telegram, lotse_stack.token, chat, "\n".join(lines), html=True, markup=buttons)
    parts = sent(telegram, chat)
    assert len(parts) >= 3 and all(utf16_length(p["text"]) <= 4096 for p in parts)
    assert [bool(p.get("reply_markup")) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert sum(p["text"].count("Stelle ") for p in parts) == 200  # every line, none cut


def test_html_telegram_refuses_goes_out_as_plain_text_instead_of_being_lost(lotse_stack):
    telegram, chat = lotse_stack.bot_api, next(NEWCOMERS)
    sending(telegram, lotse_stack.token, chat, 'Öffnungszeiten <b>Mo–Fr</b> <unbekannt>9–12</unbekannt>', html=True)
    (message,) = sent(telegram, chat)
    assert "Mo–Fr" in message["text"] and "9–12" in message["text"] and not message.get("parse_mode")


def test_a_deleted_topic_is_made_anew_and_the_newcomers_message_reaches_it(lotse_stack):
    telegram = lotse_stack.bot_api
    user, thread = open_case(telegram, "de", "ich möchte mit einem Menschen sprechen")
    wait_for(lambda: posts_in(telegram, thread))
    before = len(topics(telegram))
    asyncio.run(_delete_topic(telegram, lotse_stack.token, thread))
    say(telegram, user, "Sind Sie noch da?")
    new_topic = wait_for(lambda: [t for t in topics(telegram)[before:] if not t.get("deleted")])[0]
    new_thread = new_topic["message_thread_id"]
    wait_for(lambda: "Sind Sie noch da?" in posts_in(telegram, new_thread))
    in_topic(telegram, LOCAL_ADVISOR, new_thread, "Ja, hier ist die Beratung.")
    wait_for(lambda: [m for m in sent(telegram, user) if m.get("text") == "Ja, hier ist die Beratung."])


async def _delete_topic(telegram: str, token: str, thread: int) -> None:
    async with Bot(token, base_url=f"{telegram}/bot") as bot:
        await bot.delete_forum_topic(LOCAL_ADVISORS_CHAT, thread)


@pytest.mark.parametrize("switches, says", [
    ({"is_forum": False}, "must be a forum"),
    ({"can_manage_topics": False}, "manage topics"),
])
def test_an_advisors_chat_where_topics_cannot_be_managed_stops_the_adapter_at_start(lotse_stack, switches, says,
                                                                                   tmp_path):
    telegram = lotse_stack.bot_api
    switch_group(telegram, **switches)
    database = f"sqlite:///{tmp_path / 'refused.db'}"
    migrated(database).dispose()
    try:
        adapter = subprocess.run([sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                                 timeout=120, env={**os.environ, "LOTSE_BOT_API": telegram, "RASA_TOKEN": "unused",
                                                   "DATABASE_URL": database})
    finally:
        switch_group(telegram, is_forum=True, can_manage_topics=True)
    assert adapter.returncode != 0
    assert f"LOTSE_ADVISORS_CHAT_ID={LOCAL_ADVISORS_CHAT}" in adapter.stderr and says in adapter.stderr


def test_a_case_whose_topic_telegram_refused_gets_it_once_the_rights_are_back(lotse_stack):
    """No stuck case: the hand-over is tried again, and the newcomer's messages reach the topic."""
    telegram = lotse_stack.bot_api
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again(LOTSE_RETRY_SECONDS="1")
    try:
        switch_group(telegram, can_create_topics=False)
        user, before = next(NEWCOMERS), len(topics(telegram))
        try:
            say(telegram, user, "ich möchte mit einem Menschen sprechen")
            wait_for(lambda: sent(telegram, user))  # the newcomer hears that a person will answer
            say(telegram, user, "Es geht um meine Wohnung")
            assert len(topics(telegram)) == before
        finally:
            switch_group(telegram, can_create_topics=True)
        thread = wait_for(lambda: topics(telegram)[before:], seconds=60)[0]["message_thread_id"]
        wait_for(lambda: "Es geht um meine Wohnung" in posts_in(telegram, thread), seconds=60)
        assert len(topics(telegram)[before:]) == 1
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()
