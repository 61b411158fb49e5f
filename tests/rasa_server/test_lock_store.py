"""The lock store several Rasa replicas share (the machine's Redis): one conversation's
messages are processed one at a time, whichever replica takes them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from rasa_server.lock_store import AtomicRedisLockStore

REPLICAS = 8


@pytest.fixture
def replicas() -> Iterator[list[AtomicRedisLockStore]]:
    """Lock stores as separate replicas hold them: each with its own connections."""
    prefix = f"lotsetest{uuid.uuid4().hex[:8]}"
    config = EndpointConfig(url="127.0.0.1", port=6379, db=0, key_prefix=prefix)
    yield [AtomicRedisLockStore(config) for _ in range(REPLICAS)]
    leftovers = redis.Redis("127.0.0.1", 6379).keys(f"{prefix}*")
    if leftovers:
        redis.Redis("127.0.0.1", 6379).delete(*leftovers)


def test_replicas_drawing_tickets_at_the_same_moment_never_get_the_same_one(replicas):
    conversation = "tg-same-newcomer"
    with ThreadPoolExecutor(len(replicas)) as pool:
        drawn = list(pool.map(lambda store: [store.issue_ticket(conversation) for _ in range(10)], replicas))
    tickets = [ticket for tickets in drawn for ticket in tickets]
    assert sorted(tickets) == list(range(len(tickets)))


def test_one_conversation_is_processed_by_one_replica_at_a_time(replicas):
    conversation, inside, most_inside, processed = "tg-busy-newcomer", [0], [0], []

    async def handle(store: AtomicRedisLockStore, message: int) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.02):
            inside[0] += 1
            most_inside[0] = max(most_inside[0], inside[0])
            await asyncio.sleep(0.01)  # reading and writing the tracker
            processed.append(message)
            inside[0] -= 1

    async def all_at_once() -> None:
        await asyncio.gather(*(handle(store, number) for number, store in enumerate(replicas * 2)))

    asyncio.run(all_at_once())
    assert most_inside[0] == 1
    assert sorted(processed) == list(range(len(replicas) * 2))
    assert replicas[0].get_lock(conversation) is None  # nobody waiting: the lock is gone
