"""One newcomer's flood of messages does not hold up the others: a chat waits for its own turn
before it takes one of the adapter's slots, and at most BACKLOG_PER_CHAT of its updates wait
in memory (the rest stay in the inbox until the retry loop brings them)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import cast

from telegram import Update
from telegram.ext import Application

from bot.app import BACKLOG_PER_CHAT, PerChatOrder, enqueue


def update_in(chat: int, update_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "x"}}, None)


def test_a_chat_flooding_messages_holds_one_slot_and_another_chat_is_answered_meanwhile():
    finished: list[tuple[int, int]] = []

    async def scenario() -> None:
        order = PerChatOrder(max_concurrent_updates=2)
        release = asyncio.Event()

        async def handle(chat: int, number: int) -> None:
            if chat == 1:
                await release.wait()
            finished.append((chat, number))

        flood = [asyncio.create_task(order.process_update(update_in(1, n), handle(1, n))) for n in range(10)]
        await asyncio.sleep(0)
        other = asyncio.create_task(order.process_update(update_in(2, 100), handle(2, 100)))
        await asyncio.wait_for(other, 5)  # before the flood has moved at all
        release.set()
        await asyncio.gather(*flood)

    asyncio.run(scenario())
    assert finished[0] == (2, 100) and [n for chat, n in finished if chat == 1] == list(range(10))


def test_at_most_a_backlog_of_one_chats_updates_waits_in_memory():
    async def scenario() -> tuple[int, int]:
        # A stand-in with only what enqueue uses of the adapter's Application.
        application = cast(Application, SimpleNamespace(bot_data={}, update_queue=asyncio.Queue()))
        for number in range(BACKLOG_PER_CHAT + 15):
            await enqueue(application, update_in(1, number))
        await enqueue(application, update_in(2, 1000))
        await enqueue(application, update_in(1, 0))  # queued already: not twice
        return application.update_queue.qsize(), len(application.bot_data["queued_update_ids"])

    assert asyncio.run(scenario()) == (BACKLOG_PER_CHAT + 1, BACKLOG_PER_CHAT + 1)
