"""The adapter's way to Rasa with several replicas (RASA_URL with commas): a conversation
always reaches the same replica, and the conversations are spread over all of them."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from aiohttp import web

from bot.local import free_port
from bot.rasa_client import RasaClient


async def replica(name: str, seen: dict[str, set[str]]) -> tuple[web.AppRunner, str]:
    """A stand-in for Rasa's REST channel that notes which conversations reached it."""
    async def webhook(request: web.Request) -> web.Response:
        seen[(await request.json())["sender"]].add(name)
        return web.json_response([{"recipient_id": "x", "text": f"answer from {name}"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


def test_each_conversation_sticks_to_one_replica_and_all_replicas_get_conversations():
    async def scenario() -> dict[str, set[str]]:
        seen: dict[str, set[str]] = defaultdict(set)
        (first, first_url), (second, second_url) = await replica("a", seen), await replica("b", seen)
        client = RasaClient(f"{first_url}, {second_url}/", token=None)
        try:
            for turn in range(3):
                await asyncio.gather(*(client.send(f"tg-{number}", f"message {turn}", {}) for number in range(40)))
        finally:
            await client.close()
            await first.cleanup()
            await second.cleanup()
        return seen

    seen = asyncio.run(scenario())
    assert len(seen) == 40 and all(len(replicas) == 1 for replicas in seen.values())
    assert {name for replicas in seen.values() for name in replicas} == {"a", "b"}
