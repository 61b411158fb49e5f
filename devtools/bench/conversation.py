"""Benchmark (not a test): whole turns through Rasa's REST channel, the action server and the
knowledge store, as a channel sees them; and the same through Telegram's side: an update
delivered to the fake Bot API until the adapter has sent the first answer.

    python -m devtools.bench.conversation --out reports/bench

Starts its own action server, Rasa, fake Bot API and adapter (free ports, the store of
`DATABASE_URL` or var/), then sends held-out test messages: 200 one after another, then 20
conversations at once (REST: `conversation.json`); 100 one after another, then 20 newcomers
writing 5 messages each at once (Telegram: `telegram.json`; only messages the model answers
itself, as one taken for a hand-over leaves its newcomer waiting for an advisor).
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

from bot.rasa_client import CHANNEL, SECRET_HEADER
from devtools.bench import machine, percentile, write_figures
from devtools.local import PROJECT_ROOT, free_port, start_adapter, start_lotse, stop
from devtools.nlu_report import read_split

HELD_OUT = PROJECT_ROOT / "tests" / "data" / "nlu"
SEQUENTIAL_MESSAGES, CONVERSATIONS, TURNS_PER_CONVERSATION = 200, 20, 10
TELEGRAM_SEQUENTIAL, TELEGRAM_TURNS, UNANSWERED_AFTER = 100, 5, 15.0
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


async def measure(webhook: str, token: str, messages: list[str]) -> dict:
    async with aiohttp.ClientSession(headers={SECRET_HEADER: token}) as session:
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


async def _telegram_turn(session: aiohttp.ClientSession, bot_api: str, user: int, text: str) -> float | None:
    """From the update's delivery until the adapter's first answer is at the fake Bot API;
    None when none comes within UNANSWERED_AFTER seconds (a message taken for a hand-over
    pauses the conversation)."""
    async def answers() -> int:
        async with session.get(f"{bot_api}/control/sent", params={"chat_id": user}) as reply:
            return len(await reply.json())

    before = await answers()
    started = time.perf_counter()
    update = {"message": {"chat": {"id": user, "type": "private"}, "text": text,
                          "from": {"id": user, "is_bot": False, "first_name": "Bench"}}}
    async with session.post(f"{bot_api}/control/updates", json=update) as reply:
        reply.raise_for_status()
    while await answers() <= before:
        if time.perf_counter() - started > UNANSWERED_AFTER:
            return None
        await asyncio.sleep(0.005)
    return (time.perf_counter() - started) * 1000


async def without_hand_overs(webhook: str, token: str, messages: list[str]) -> list[str]:
    """The messages the model answers itself: one taken for a hand-over pauses its
    conversation, so the next message of that newcomer would wait for an advisor."""
    kept = []
    async with aiohttp.ClientSession(headers={SECRET_HEADER: token}) as session:
        for number, text in enumerate(messages):
            async with session.post(webhook, json={"sender": f"probe-{number}", "message": text}) as reply:
                if not any("handover" in (item.get("custom") or {}) for item in await reply.json()):
                    kept.append(text)
    return kept


async def measure_telegram(bot_api: str, messages: list[str]) -> dict:
    async with aiohttp.ClientSession() as session:
        for number, text in enumerate(messages[:5]):
            await _telegram_turn(session, bot_api, 790000 + number, text)
        sequential = [await _telegram_turn(session, bot_api, 800000 + i, messages[(i * 7) % len(messages)])
                      for i in range(TELEGRAM_SEQUENTIAL)]

        async def newcomer(number: int) -> list[float | None]:
            return [await _telegram_turn(session, bot_api, 900000 + number,
                                         messages[(number * 31 + turn * 7) % len(messages)])
                    for turn in range(TELEGRAM_TURNS)]

        started = time.perf_counter()
        results = await asyncio.gather(*(newcomer(n) for n in range(CONVERSATIONS)))
        elapsed = time.perf_counter() - started
    concurrent = [ms for result in results for ms in result]

    def summary(turns: list[float | None]) -> dict:
        answered = [ms for ms in turns if ms is not None]
        return {"messages": len(turns), "unanswered": len(turns) - len(answered), **_percentiles(answered)}

    return {
        "sequential": summary(sequential),
        "concurrent": {"newcomers": CONVERSATIONS, **summary(concurrent),
                       "messages_per_second": round(len(concurrent) / elapsed, 1)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bench.conversation", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "bench")
    args = parser.parse_args(argv)
    rasa_port, bot_api_port, token = free_port(), free_port(), secrets.token_urlsafe(24)
    servers = start_lotse(rasa_port, free_port(), token)
    try:
        servers += start_adapter(rasa_port, token, bot_api_port, env={"LOTSE_OFFICE_HOURS": "always"})
        messages = held_out_messages()
        webhook = f"http://127.0.0.1:{rasa_port}{CHANNEL}"
        rest = asyncio.run(measure(webhook, token, messages))
        telegram = asyncio.run(measure_telegram(f"http://127.0.0.1:{bot_api_port}", asyncio.run(
            without_hand_overs(webhook, token, messages))))
    finally:
        stop(servers)
    for name, path, figures in (
            ("conversation", "adapter channel (REST) -> NLU -> rules -> action server -> knowledge store", rest),
            ("telegram", "update at the fake Bot API -> adapter (inbox, pseudonym) -> REST channel -> ... -> "
                         "first answer at the fake Bot API", telegram)):
        figures = {"machine": machine(), "path": path, **figures}
        write_figures(args.out, name, figures)
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
