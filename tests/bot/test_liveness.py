"""The adapter's health check tells the truth about its background loops: a loop that died,
or one that has not completed a cycle for too long, makes GET /health answer 503, and a loop
that died stops the adapter (its supervisor restarts it)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import cast

from aiohttp.test_utils import TestClient, TestServer
from telegram.ext import Application

from bot.__main__ import http_app
from bot.liveness import Liveness, pause_after


def health_of(liveness: Liveness, database_answers: bool = True) -> tuple[int, str]:
    """GET /health of the adapter's HTTP app, with a case store whose database answers or not."""
    # A stand-in with only what the health check uses of the adapter's Application.
    application = cast(Application, SimpleNamespace(bot_data={"lotse": SimpleNamespace(cases=SimpleNamespace(
        reachable=lambda: database_answers))}))

    async def get() -> tuple[int, str]:
        async with TestClient(TestServer(http_app(application, None, liveness))) as client:
            response = await client.get("/health")
            return response.status, await response.text()

    return asyncio.run(get())


def test_a_loop_that_died_fails_the_health_check_and_stops_the_adapter():
    liveness = Liveness()

    async def die() -> None:
        liveness.expect("polling", 60)
        stop = asyncio.Event()
        task = asyncio.create_task(_raise())
        liveness.watch(task, "polling", stop)
        await asyncio.wait_for(stop.wait(), 5)

    asyncio.run(die())
    assert liveness.dead == ["polling"]
    status, text = health_of(liveness)
    assert status == 503 and "polling: stopped" in text


async def _raise() -> None:
    raise RuntimeError("the inbox table is gone")


def test_a_loop_silent_for_too_long_fails_the_health_check():
    clock = {"now": 1000.0}
    liveness = Liveness(clock=lambda: clock["now"])
    liveness.expect("retrying", 80)
    clock["now"] += 60
    assert health_of(liveness) == (200, "ok")
    clock["now"] += 30
    status, text = health_of(liveness)
    assert status == 503 and "retrying: no completed cycle for 90 s" in text
    liveness.cycle_done("retrying")
    assert health_of(liveness) == (200, "ok")


def test_a_cancelled_loop_is_a_normal_stop_and_the_database_is_still_checked():
    liveness = Liveness()

    async def cancel() -> asyncio.Event:
        stop = asyncio.Event()
        task = asyncio.create_task(asyncio.sleep(60))
        liveness.watch(task, "polling", stop)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)
        return stop

    assert not asyncio.run(cancel()).is_set() and liveness.dead == []
    assert health_of(liveness, database_answers=False) == (503, "database unreachable")


def test_failed_cycles_wait_longer_each_time_up_to_half_a_minute():
    assert [pause_after(n) for n in (1, 2, 3, 4, 5, 6, 10)] == [1, 2, 4, 8, 16, 30, 30]
