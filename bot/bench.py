"""Benchmark (not a test): whole turns through Rasa's REST channel, the action server and the
knowledge store, as a channel sees them.

    python -m bot.bench --out reports/bench

Starts its own action server and Rasa (free ports, the store of `DATABASE_URL` or var/),
then sends held-out test messages: 200 one after another, then 20 conversations at once.
Hand-over messages are left out of the pool: they pause a conversation, and a paused
conversation answers nothing, which would flatter the figures."""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time
from pathlib import Path

import aiohttp

from bot.local import PROJECT_ROOT, free_port, start_lotse, stop
from nlu.bench import machine, percentile, write_figures
from nlu.evaluate import read_split

HELD_OUT = PROJECT_ROOT / "tests" / "data" / "nlu"
SEQUENTIAL_MESSAGES, CONVERSATIONS, TURNS_PER_CONVERSATION = 200, 20, 10
LEFT_OUT = {"request_human", "emergency"}


def held_out_messages() -> list[str]:
    return [text for _, text, intent in read_split(HELD_OUT) if intent not in LEFT_OUT]


def _percentiles(milliseconds: list[float]) -> dict:
    return {f"p{share}_ms": round(percentile(milliseconds, share / 100), 1) for share in (50, 95, 99)}


async def _turn(session: aiohttp.ClientSession, webhook: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(webhook, json={"sender": sender, "message": text}) as reply:
        reply.raise_for_status()
        await reply.json()
    return (time.perf_counter() - started) * 1000


async def measure(webhook: str, messages: list[str]) -> dict:
    async with aiohttp.ClientSession() as session:
        for text in messages[:5]:  # warm-up: first parse, first action call, index build
            await _turn(session, webhook, "warm-up", text)
        sequential = [await _turn(session, webhook, f"seq-{i // 5}", messages[(i * 7) % len(messages)])
                      for i in range(SEQUENTIAL_MESSAGES)]

        async def conversation(number: int) -> list[float]:
            return [await _turn(session, webhook, f"conc-{number}", messages[(number * 31 + turn * 7) % len(messages)])
                    for turn in range(TURNS_PER_CONVERSATION)]

        started = time.perf_counter()
        results = await asyncio.gather(*(conversation(n) for n in range(CONVERSATIONS)))
        elapsed = time.perf_counter() - started
    concurrent = [ms for result in results for ms in result]
    return {
        "sequential": {"messages": len(sequential), **_percentiles(sequential), "target_p95_ms": 150},
        "concurrent": {"conversations": CONVERSATIONS, "messages": len(concurrent),
                       "messages_per_second": round(len(concurrent) / elapsed, 1), **_percentiles(concurrent),
                       "target_messages_per_second": 30},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "bench")
    args = parser.parse_args(argv)
    rasa_port = free_port()
    servers = start_lotse(rasa_port, free_port(), secrets.token_urlsafe(24))
    try:
        figures = asyncio.run(measure(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", held_out_messages()))
    finally:
        stop(servers)
    figures = {"machine": machine(), "path": "REST channel -> NLU -> rules -> action server -> knowledge store", **figures}
    write_figures(args.out, "conversation", figures)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
