"""The fake Bot API behaves like Telegram where Lotse relies on it: the real PTB client gets
updates in order and once confirmed never again, sends messages with keyboards, creates forum
topics and copies messages into them; the control API shows all of it."""

from __future__ import annotations

import asyncio

import pytest
import requests
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.fake_telegram import make_app
from bot.local import free_port

GROUP = -1001000000001


@pytest.fixture
def fake_telegram():
    """The fake Bot API on a free port, served from a loop of the test's own."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(make_app())
    loop.run_until_complete(runner.setup())
    port = free_port()
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    yield loop, f"http://127.0.0.1:{port}"
    loop.run_until_complete(runner.cleanup())
    loop.close()


def newcomer_message(text: str) -> dict:
    return {"message": {"chat": {"id": 42, "type": "private"}, "text": text,
                        "from": {"id": 42, "is_bot": False, "first_name": "Olena", "language_code": "uk"}}}


def test_updates_messages_topics_and_copies_through_the_real_client(fake_telegram):
    loop, base = fake_telegram

    async def scenario():
        async with Bot("1:test", base_url=f"{base}/bot") as bot:
            for text in ("привіт", "де житло?"):
                await asyncio.get_running_loop().run_in_executor(
                    None, lambda t=text: requests.post(f"{base}/control/updates", json=newcomer_message(t), timeout=5))
            updates = await bot.get_updates(offset=0, timeout=1)
            assert [u.message.text for u in updates] == ["привіт", "де житло?"]
            assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Більше", callback_data="/more")]])
            await bot.send_message(42, "<b>Житло</b>", parse_mode="HTML", reply_markup=keyboard)
            topic = await bot.create_forum_topic(GROUP, "#1 · uk · housing")
            await bot.copy_message(GROUP, 42, updates[1].message.message_id, message_thread_id=topic.message_thread_id)
            return topic

    topic = loop.run_until_complete(scenario())
    sent = loop.run_until_complete(asyncio.to_thread(requests.get, f"{base}/control/sent", params={"chat_id": 42}))
    (answer,) = sent.json()
    assert answer["text"] == "<b>Житло</b>" and answer["parse_mode"] == "HTML"
    assert answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/more"
    topics = loop.run_until_complete(asyncio.to_thread(requests.get, f"{base}/control/topics", params={"chat_id": GROUP}))
    assert topics.json() == [{"message_thread_id": topic.message_thread_id, "name": "#1 · uk · housing", "icon_color": 7322096}]
    group = loop.run_until_complete(asyncio.to_thread(requests.get, f"{base}/control/sent", params={"chat_id": GROUP}))
    assert [(m["text"], m["message_thread_id"]) for m in group.json()] == [("де житло?", topic.message_thread_id)]

    timeline = loop.run_until_complete(asyncio.to_thread(requests.get, f"{base}/control/timeline", params={"since": 1}))
    events = timeline.json()["events"]
    assert [(e["kind"], e["chat_id"]) for e in events] == [("update", 42), ("sent", 42), ("topic", GROUP), ("sent", GROUP)]
    assert events[1]["buttons"] == ["/more"] and events[3]["thread"] == topic.message_thread_id
    assert [e["at"] for e in events] == sorted(e["at"] for e in events) and timeline.json()["next"] == 5


def test_a_bad_update_or_an_unknown_method_gets_a_clear_error(fake_telegram):
    loop, base = fake_telegram
    bad = loop.run_until_complete(asyncio.to_thread(
        requests.post, f"{base}/control/updates", data="not json", headers={"Content-Type": "application/json"}))
    assert bad.status_code == 400 and "JSON Update object" in bad.json()["description"]
    unknown = loop.run_until_complete(asyncio.to_thread(requests.post, f"{base}/bot1:test/launchRocket"))
    assert unknown.status_code == 404 and unknown.json()["ok"] is False
