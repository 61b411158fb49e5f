"""The adapter's way to Rasa, with Rasa faked in-process (httpx's MockTransport): with several
replicas (RASA_URL with commas) a conversation always reaches the same replica and all
replicas get conversations; every message carries the channel's secret; and Rasa's token
appears in no error the adapter could log."""

from __future__ import annotations

import asyncio
import traceback
from collections import defaultdict

import httpx
import pytest

from bot.rasa_client import CHANNEL, SECRET_HEADER, RasaClient, RasaUnavailable

TOKEN = "-secret-token-of-the-test"


def test_each_conversation_sticks_to_one_replica_and_all_replicas_get_conversations():
    seen: dict[str, set[str]] = defaultdict(set)

    def rasa(request: httpx.Request) -> httpx.Response:
        assert request.url.path == CHANNEL and request.headers[SECRET_HEADER] == TOKEN
        sender = httpx.Response(200, content=request.content).json()["sender"]
        seen[sender].add(request.url.host)
        return httpx.Response(200, json=[{"recipient_id": sender, "text": f"answer from {request.url.host}"}])

    async def scenario() -> None:
        client = RasaClient("http://replica-a:5005, http://replica-b:5005/", TOKEN, transport=httpx.MockTransport(rasa))
        try:
            for turn in range(3):
                await asyncio.gather(*(client.send(f"tg-{number}", f"message {turn}", {}) for number in range(40)))
        finally:
            await client.close()

    asyncio.run(scenario())
    assert len(seen) == 40 and all(len(replicas) == 1 for replicas in seen.values())
    assert {host for replicas in seen.values() for host in replicas} == {"replica-a", "replica-b"}


@pytest.mark.parametrize("failure", ["refused", "server error"])
def test_a_failed_resume_names_what_failed_but_not_the_token(failure):
    def rasa(request: httpx.Request) -> httpx.Response:
        if failure == "refused":
            raise httpx.ConnectError(f"connection refused: {request.url}", request=request)
        return httpx.Response(500, json={"message": f"failed {request.url}"})

    async def resume() -> RasaUnavailable:
        client = RasaClient("http://rasa:5005", TOKEN, transport=httpx.MockTransport(rasa))
        try:
            with pytest.raises(RasaUnavailable) as raised:
                await client.resume("sender-1")
            return raised.value
        finally:
            await client.close()

    error = asyncio.run(resume())
    logged = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    assert "/conversations/sender-1/tracker/events" in logged and TOKEN not in logged
