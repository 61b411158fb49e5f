"""Load benchmark (not a test): `make bench-load`. Simulated newcomers in all five languages
write to the whole stack on loopback — fake Telegram Bot API, adapter, Rasa on PostgreSQL
(SQLTrackerStore) with the Redis lock store, action server, knowledge base on PostgreSQL —
as in production (endpoints.production.yml), in a database made for the run.

Each conversation: /start, a topic button, a question, "where is it?", 👍; every tenth asks
for a person after its question instead (a hand-over). At least 240 conversations are open at
any moment, each pausing 2–4 s between its messages as people do; a pacer offers messages at
a fixed rate, whatever the answers' speed. Phases: 30 messages/s for five minutes (Telegram's
sending limit for one bot), then one minute each at rising rates from 10 until p95 passes 1 s
or a message is lost: the highest passing rate is Lotse's sustainable maximum on this machine.
Between phases the adapter finishes what it has (its inbox empty), so no phase inherits a
backlog.

Latency is from the update's delivery at the fake Bot API to the first message the adapter
sends to that chat, both stamped by the fake server. Exactly once is counted, not assumed:
each newcomer's messages in Rasa's tracker equal those delivered, every update in the
adapter's inbox is processed, every hand-over opened one case. Telegram's own sending limits
are turned off in the adapter for the run (the fake API has none; they cap what Telegram
accepts, not what Lotse can do). Figures: reports/bench/load.json, plot load_latency.png
(with --rasa-replicas N: load_N_rasa.json and its plot).

    python -m devtools.load [--seconds 300] [--rate 30] [--step-rates 10 15 20 25 30 45 60] [--step-seconds 60]
                       [--rasa-replicas 2]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import secrets
import subprocess
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from bot.pseudonym import pseudonym
from cities import city_named
from devtools.bench import machine, percentile, write_figures
from devtools.local import (
    PROJECT_ROOT,
    free_port,
    production_rasa_environment,
    start_actions,
    start_adapter,
    start_rasa,
    stop,
    wait_until_up,
)
from devtools.scratch import LOCAL_POSTGRES, migrated, scratch_database
from knowledge.store import sync

POSTGRES_URL = os.environ.get("LOTSE_BENCH_POSTGRES_URL", LOCAL_POSTGRES)
BIELEFELD = city_named("bielefeld")
PILOT = BIELEFELD.entries
PSEUDONYM_KEY = "load-benchmark"
TARGET_P95_MS = 1000
ANSWER_TIMEOUT = 30.0
THINK_SECONDS = (2.0, 4.0)
MIN_CONVERSATIONS = 240
HAND_OVER_EVERY = 10


@dataclass(frozen=True)
class Texts:
    client_code: str  # the Telegram client's language code
    question: str
    where: str
    person: str


TEXTS = (
    Texts("de", "Wo kann ich in Bielefeld Deutsch lernen?", "Wo ist das?", "Ich möchte mit einem Menschen sprechen"),
    Texts("ar", "وين الجوب سنتر بدي اسأل عن شغل", "وين المكان؟", "بدي احكي مع موظف"),
    Texts("fa", "میخواهم در کورس انتگراسیون ثبت نام کنم", "آدرسش کجاست؟", "میخواهم با یک مشاور گپ بزنم"),
    Texts("uk", "де зробити анмельдунг нової адреси?", "де це?", "хочу поговорити з людиною"),
    Texts("en", "how do I extend my residence permit", "where is it?", "I want to talk to a person"),
)


@dataclass(frozen=True)
class Step:
    press: bool  # a button whose payload starts with `text`, else a typed message
    text: str


@dataclass
class Conversation:
    user: int
    texts: Texts
    steps: list[Step]
    buttons: list[tuple[int, str]] = field(default_factory=list)  # (message id, payload) of what Lotse sent
    sent_at: float = 0.0
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    hand_over: bool = False  # this conversation asks for a person at its end
    asked_for_person: bool = False  # … and has done so
    timeouts: int = 0

    def heard(self, event: dict) -> None:
        self.buttons += [(event["message_id"], payload) for payload in event["buttons"] if payload]
        if event["at"] >= self.sent_at:
            self.answered.set()


def new_conversation(number: int, first_user: int) -> Conversation:
    texts = TEXTS[number % len(TEXTS)]
    hand_over = number % HAND_OVER_EVERY == HAND_OVER_EVERY - 1
    steps = [Step(False, "/start"), Step(True, "/ask_"), Step(False, texts.question)]
    steps += [Step(False, texts.person)] if hand_over else [Step(False, texts.where), Step(True, "/feedback_helpful")]
    return Conversation(first_user + number, texts, steps, hand_over=hand_over)


def update_for(conversation: Conversation, step: Step, rng: random.Random) -> dict:
    user = {"id": conversation.user, "is_bot": False, "first_name": "Load",
            "language_code": conversation.texts.client_code}
    chat = {"id": conversation.user, "type": "private"}
    choices = [(message, payload) for message, payload in conversation.buttons if payload.startswith(step.text)]
    if step.press and choices:
        message, payload = rng.choice(choices) if step.text == "/ask_" else choices[-1]
        return {"callback_query": {"id": uuid.uuid4().hex, "chat_instance": "load", "data": payload, "from": user,
                                   "message": {"message_id": message, "date": 0, "chat": chat}}}
    return {"message": {"chat": chat, "text": step.text if not step.press else conversation.texts.question,
                        "from": user}}


@dataclass
class Phase:
    rate: float
    seconds: float
    started: float = 0.0
    late_ticks: int = 0  # moments the pacer found no newcomer ready to write
    errors: int = 0  # updates the fake Bot API did not take
    conversations: list[Conversation] = field(default_factory=list)


async def follow_timeline(session: aiohttp.ClientSession, bot_api: str, by_user: dict[int, Conversation],
                          timeline: list[dict], stop_at: asyncio.Event) -> None:
    """Tells each conversation what Lotse sent it, from the fake API's timeline."""
    position = 0
    while not stop_at.is_set():
        async with session.get(f"{bot_api}/control/timeline", params={"since": position}) as reply:
            page = await reply.json()
        position = page["next"]
        for event in page["events"]:
            timeline.append(event)
            if event["kind"] == "sent" and event["chat_id"] in by_user:
                by_user[event["chat_id"]].heard(event)
        await asyncio.sleep(0.05)


async def run_phase(session: aiohttp.ClientSession, bot_api: str, phase: Phase, by_user: dict[int, Conversation],
                    numbers: itertools.count, first_user: int, rng: random.Random) -> None:
    """Offers `phase.rate` messages a second for `phase.seconds`; conversations that finish
    are replaced, so that enough are always open."""
    ready: asyncio.Queue[Conversation] = asyncio.Queue()
    open_conversations = max(MIN_CONVERSATIONS, int(phase.rate * (sum(THINK_SECONDS) / 2 + 2) * 1.5))
    waiting: set[asyncio.Task] = set()

    def begin() -> None:
        conversation = new_conversation(next(numbers), first_user)
        by_user[conversation.user] = conversation
        phase.conversations.append(conversation)
        ready.put_nowait(conversation)

    async def take_turn(conversation: Conversation) -> None:
        step = conversation.steps.pop(0)
        conversation.asked_for_person |= step.text == conversation.texts.person
        conversation.answered.clear()
        conversation.sent_at = time.time()
        try:
            async with session.post(f"{bot_api}/control/updates", json=update_for(conversation, step, rng)) as reply:
                reply.raise_for_status()
            await asyncio.wait_for(conversation.answered.wait(), ANSWER_TIMEOUT)
        except aiohttp.ClientError:
            phase.errors += 1
            conversation.steps.clear()
        except asyncio.TimeoutError:
            conversation.timeouts += 1
            conversation.steps.clear()
        if conversation.steps:
            await asyncio.sleep(rng.uniform(*THINK_SECONDS))
            ready.put_nowait(conversation)
        else:
            begin()

    for _ in range(open_conversations):
        begin()
    phase.started = time.time()
    for tick in range(int(phase.rate * phase.seconds)):
        await asyncio.sleep(max(0.0, phase.started + tick / phase.rate - time.time()))
        if ready.empty():
            phase.late_ticks += 1
        task = asyncio.create_task(take_turn(await ready.get()))
        waiting.add(task)
        task.add_done_callback(waiting.discard)
    await asyncio.gather(*waiting)


def latencies(timeline: list[dict], users: set[int], since: float, until: float) -> list[tuple[dict, float | None]]:
    """(the update's event, ms until the first message to that chat) for every update of the
    phase; None when nothing came before the chat's next update."""
    by_chat: dict[int, list[dict]] = defaultdict(list)
    for event in timeline:
        if event["chat_id"] in users and event["kind"] in ("update", "sent"):
            by_chat[event["chat_id"]].append(event)
    measured = []
    for events in by_chat.values():
        for index, event in enumerate(events):
            if event["kind"] != "update" or not since <= event["at"] < until:
                continue
            answer = next((e for e in events[index + 1:] if e["kind"] in ("sent", "update")), None)
            measured.append((event, (answer["at"] - event["at"]) * 1000 if answer and answer["kind"] == "sent"
                             else None))
    return measured


async def count_in_rasa(session: aiohttp.ClientSession, rasa: str, token: str, users: list[int]) -> dict[int, int]:
    """How many messages of each newcomer Rasa's tracker holds."""
    limit = asyncio.Semaphore(16)

    async def user_messages(user: int) -> tuple[int, int]:
        async with limit, session.get(f"{rasa}/conversations/{pseudonym(user, PSEUDONYM_KEY.encode())}/tracker",
                                      params={"token": token}) as reply:
            events = (await reply.json())["events"]
        return user, sum(event["event"] == "user" for event in events)

    return dict(await asyncio.gather(*(user_messages(user) for user in users)))


def summarise(phase: Phase, timeline: list[dict], in_rasa: dict[int, int], mirrored: set[tuple[int, int]],
              until: float) -> dict:
    """`mirrored`: (chat, message) of newcomer messages copied into an advisor's topic: a
    message without an answer of its own counts as queued when it is there, else as lost."""
    users = {conversation.user for conversation in phase.conversations}
    measured = latencies(timeline, users, phase.started, until)
    answered = [ms for _, ms in measured if ms is not None]
    queued = sum(ms is None and (event["chat_id"], event.get("message_id")) in mirrored for event, ms in measured)
    delivered: defaultdict[int, int] = defaultdict(int)
    for event in timeline:
        if event["kind"] == "update" and event["chat_id"] in users:
            delivered[event["chat_id"]] += 1
    elapsed = max(event["at"] for event, _ in measured) - phase.started if measured else phase.seconds
    return {
        "offered_messages_per_second": phase.rate, "seconds": phase.seconds,
        "conversations": len(phase.conversations), "open_at_once_at_least": MIN_CONVERSATIONS,
        "messages": len(measured), "messages_per_second": round(len(measured) / elapsed, 1),
        "answered": len(answered), "queued_for_an_advisor": queued, "lost": len(measured) - len(answered) - queued,
        "timeouts": sum(c.timeouts for c in phase.conversations), "errors": phase.errors,
        "pacer_found_nobody_ready": phase.late_ticks,
        **{f"p{share}_ms": round(percentile(answered, share / 100), 1) if len(answered) > 1 else None
           for share in (50, 95, 99)},
        "rasa_holds_each_message_once": all(in_rasa.get(user, 0) == count for user, count in delivered.items()),
        "rasa_messages_missing_or_doubled": sum(abs(in_rasa.get(user, 0) - count) for user, count in delivered.items()),
        "hand_overs_asked": sum(c.asked_for_person for c in phase.conversations),
    }


def passes(figures: dict) -> bool:
    return (figures["lost"] == 0 and figures["errors"] == 0 and figures["rasa_holds_each_message_once"]
            and figures["p95_ms"] is not None and figures["p95_ms"] < TARGET_P95_MS)


def plot(path: Path, phases: list[Phase], timeline: list[dict]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = phases[0].started
    figure, axes = plt.subplots(figsize=(11, 4.5))
    for index, phase in enumerate(phases):
        until = phases[index + 1].started if index + 1 < len(phases) else float("inf")
        points = [(event["at"] - start, ms) for event, ms in latencies(timeline, {c.user for c in phase.conversations},
                                                            phase.started, until) if ms is not None]
        axes.scatter([p[0] for p in points], [p[1] for p in points], s=2, label=f"{phase.rate:g} msg/s offered")
    axes.axhline(TARGET_P95_MS, color="red", linewidth=0.8, linestyle="--", label="target p95 1 s")
    axes.set(xlabel="seconds since start", ylabel="ms until the first answer", yscale="log",
             title="Lotse under load: latency of every message over time")
    axes.legend(loc="upper left", fontsize=8, markerscale=4)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return path


def start_stack(database_url: str, tracker_database: str, rasa_replicas: int) -> tuple[list, str, str, str]:
    """Action server, Rasa replicas (production endpoints), fake Bot API and adapter on free ports."""
    rasa_ports, actions_port, bot_api_port = [free_port() for _ in range(rasa_replicas)], free_port(), free_port()
    token = secrets.token_urlsafe(24)
    rasa_environment = production_rasa_environment(POSTGRES_URL, tracker_database,
                                                   f"http://127.0.0.1:{actions_port}/webhook", "lotseload")
    servers = [start_actions(actions_port, token, {"DATABASE_URL": database_url})]
    try:
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", servers)
        for port in rasa_ports:  # one after another: each creates the tracker table if missing
            servers.append(start_rasa(port, token, PROJECT_ROOT / "endpoints.production.yml", env=rasa_environment))
            wait_until_up(f"http://127.0.0.1:{port}/", servers)
        replicas = ",".join(f"http://127.0.0.1:{port}" for port in rasa_ports)
        servers += start_adapter(rasa_ports[0], token, bot_api_port, env={
            "RASA_URL": replicas, "DATABASE_URL": database_url, "LOTSE_PSEUDONYM_KEY": PSEUDONYM_KEY,
            "LOTSE_OFFICE_HOURS": "always", "LOTSE_MAX_MESSAGES_PER_SECOND": "0",
            "LOTSE_GROUP_MESSAGES_PER_MINUTE": "0",
            "LOTSE_LOG_LEVEL": "WARNING"})
    except BaseException:
        stop(servers)
        raise
    return servers, f"http://127.0.0.1:{rasa_ports[0]}", f"http://127.0.0.1:{bot_api_port}", token


async def drained(store: sa.engine.Engine, seconds: float = 300) -> None:
    """Waits until the adapter has handled every update it received."""
    deadline = time.monotonic() + seconds
    while await asyncio.to_thread(inbox_unfinished, store) and time.monotonic() < deadline:
        await asyncio.sleep(2)


async def drive(bot_api: str, rasa: str, token: str, store: sa.engine.Engine, phases: list[Phase],
                first_user: int) -> tuple[list[dict], list[dict]]:
    rng, numbers, done = random.Random(6), itertools.count(), asyncio.Event()
    by_user: dict[int, Conversation] = {}
    timeline: list[dict] = []
    results: list[dict] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        follower = asyncio.create_task(follow_timeline(session, bot_api, by_user, timeline, done))
        await asyncio.sleep(2)  # the adapter's first poll
        for index, phase in enumerate(phases):
            print(f"phase {index + 1}: {phase.rate:g} messages/s for {phase.seconds:g} s", flush=True)
            await run_phase(session, bot_api, phase, by_user, numbers, first_user, rng)
            await drained(store)
            await asyncio.sleep(2)
            until = time.time()
            in_rasa = await count_in_rasa(session, rasa, token, [c.user for c in phase.conversations])
            mirrored = await asyncio.to_thread(mirrored_messages, store)
            results.append(summarise(phase, timeline, in_rasa, mirrored, until))
            print(json.dumps(results[-1]), flush=True)
            if index > 0 and not passes(results[-1]):
                del phases[index + 1:]
                break
        done.set()
        await follower
    return results, timeline


def count(store: sa.engine.Engine, query: str) -> int:
    with store.connect() as connection:
        return connection.execute(sa.text(query)).scalar_one()


def mirrored_messages(store: sa.engine.Engine) -> set[tuple[int, int]]:
    with store.connect() as connection:
        rows = connection.execute(sa.text("SELECT source_chat, source_message FROM case_messages "
                                          "WHERE direction = 'in'"))
        return {(chat, message) for chat, message in rows}


def inbox_unfinished(store: sa.engine.Engine) -> int:
    return count(store, "SELECT count(*) FROM telegram_updates WHERE processed_at IS NULL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.load", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "bench")
    parser.add_argument("--rate", type=float, default=30.0, help="messages a second offered in the main phase")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the main phase")
    parser.add_argument("--step-rates", type=float, nargs="*", default=[10.0, 15.0, 20.0, 25.0, 30.0, 45.0, 60.0])
    parser.add_argument("--step-seconds", type=float, default=60.0)
    parser.add_argument("--rasa-replicas", type=int, default=1, help="Rasa servers sharing the stores (RASA_URL list)")
    args = parser.parse_args(argv)

    servers: list[subprocess.Popen] = []
    with scratch_database(POSTGRES_URL, "lotse_load") as (database, database_url):
        store = migrated(database_url)
        try:
            sync(store, PILOT, BIELEFELD.district_names)
            servers, rasa, bot_api, token = start_stack(database_url, database, args.rasa_replicas)
            phases = [Phase(args.rate, args.seconds)] + [Phase(rate, args.step_seconds) for rate in args.step_rates]
            results, timeline = asyncio.run(drive(bot_api, rasa, token, store, phases, first_user=3_000_000))
            unfinished, cases = inbox_unfinished(store), count(store, "SELECT count(*) FROM cases")
        finally:
            stop(servers)
            store.dispose()

    sustained = [r["offered_messages_per_second"] for r in results if passes(r)]
    name = "load" if args.rasa_replicas == 1 else f"load_{args.rasa_replicas}_rasa"
    args.out.mkdir(parents=True, exist_ok=True)
    figures = {
        "machine": machine(), "rasa_replicas": args.rasa_replicas,
        "path": "update at the fake Bot API -> adapter (inbox on PostgreSQL) -> Rasa (SQLTrackerStore on PostgreSQL, "
                "Redis lock store) -> action server (knowledge on PostgreSQL) -> first answer at the fake Bot API",
        "target": {"offered_messages_per_second": args.rate, "p95_ms_below": TARGET_P95_MS, "lost": 0},
        "main": results[0], "steps": results[1:],
        "sustainable_messages_per_second": max(sustained) if sustained else None,
        "adapter_inbox_unfinished_at_end": unfinished,
        "hand_overs_asked": sum(r["hand_overs_asked"] for r in results), "cases_opened": cases,
        "plot": plot(args.out / f"{name}_latency.png", phases, timeline).name,
    }
    write_figures(args.out, name, figures)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
