"""The whole of Lotse behind the fake Telegram Bot API, started once for the bot tests that do
not crash it."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from devtools.local import free_port, kill, start_actions, start_adapter, start_lotse, stop, wait_until_up
from tests.helpers.telegram import handled, tried


@dataclass
class LotseStack:
    bot_api: str  # base address of the fake Telegram Bot API
    tryout: str  # the try-out page
    token: str  # the adapter's bot token, for calling the fake Bot API as the adapter does
    servers: list[subprocess.Popen] = field(repr=False)  # action server, Rasa, fake Bot API, adapter
    restart: Callable[[dict[str, str]], subprocess.Popen] = field(repr=False)  # the adapter, in an environment
    restart_actions: Callable[[], subprocess.Popen] = field(repr=False)
    stack_database: str = ""  # the DATABASE_URL the stack started with
    adapter_database: str = ""  # the running adapter's DATABASE_URL (its inbox of updates)

    def crash_adapter(self) -> None:
        """Kills the adapter without a chance to clean up, as a crash or power cut would."""
        kill(self.servers[-1])

    def start_adapter_again(self, **environment: str) -> None:
        self.servers[-1] = self.restart(environment)
        self.adapter_database = environment.get("DATABASE_URL", self.stack_database)

    def handled(self, update_id: int) -> None:
        """Waits until the adapter has handled the update to the end: all it sends for it is sent."""
        handled(self.adapter_database, update_id)

    def tried(self, update_id: int) -> None:
        """Waits until the adapter has tried the update and failed (it will try again)."""
        tried(self.adapter_database, update_id)

    def crash_actions(self) -> None:
        kill(self.servers[0])

    def start_actions_again(self) -> None:
        self.servers[0] = self.restart_actions()


def running_stack(database_url: str) -> Iterator[LotseStack]:
    """The action server, Rasa, the fake Bot API with the try-out page and the adapter, all on
    `database_url` (knowledge, cases and the adapter's inbox), stopped afterwards."""
    rasa_port, actions_port, bot_api_port, tryout_port = free_port(), free_port(), free_port(), free_port()
    token = secrets.token_urlsafe(16)
    env = {"DATABASE_URL": database_url, "LOTSE_PSEUDONYM_KEY": "test-key", "LOTSE_OFFICE_HOURS": "always"}
    servers = start_lotse(rasa_port, actions_port, token, env=env)
    servers += start_adapter(rasa_port, token, bot_api_port, tryout_port, env=env)

    def restart(environment: dict[str, str]) -> subprocess.Popen:
        (adapter,) = start_adapter(rasa_port, token, None, env={
            **env, "LOTSE_BOT_API": f"http://127.0.0.1:{bot_api_port}", **environment})
        return adapter

    def restart_actions() -> subprocess.Popen:
        actions = start_actions(actions_port, token, env)
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", [actions], seconds=60)
        return actions

    yield LotseStack(f"http://127.0.0.1:{bot_api_port}", f"http://127.0.0.1:{tryout_port}", token, servers, restart,
                     restart_actions, database_url, database_url)
    stop(servers)


@pytest.fixture(scope="session")
def lotse_stack(knowledge_store) -> Iterator[LotseStack]:
    """One stack for every bot test that leaves it as it found it (tests/bot/faults/ crash
    theirs, and get one per module)."""
    yield from running_stack(knowledge_store)


@pytest.fixture
def telegram(lotse_stack) -> str:
    return lotse_stack.bot_api
