"""Conversations run end to end: the trained model in-process (as Rasa's REST channel runs
it), the real action server and a real knowledge store (see tests/conftest.py) — no mocks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Chat:
    """A conversation as one newcomer: each call sends a message and returns the bot's answers."""

    send: Callable[[str, str | None], list[dict[str, Any]]]
    sender: str  # for a test that reads the conversation from the agent's tracker store

    def __call__(self, text: str, language_code: str | None = None) -> list[dict[str, Any]]:
        return self.send(text, language_code)


@pytest.fixture
def chat(agent) -> Iterator[Chat]:
    """A fresh conversation: chat("text", language_code="uk") returns the bot's messages."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    sender = f"test-{uuid.uuid4().hex[:8]}"
    loop = asyncio.new_event_loop()
    client: dict[str, str] = {}  # like Telegram, every message carries the client's language once it is known

    def send(text: str, language_code: str | None = None) -> list[dict[str, Any]]:
        output = CollectingOutputChannel()
        if language_code:
            client["language_code"] = language_code
        loop.run_until_complete(agent.handle_message(UserMessage(text, output, sender, metadata=dict(client))))
        return output.messages

    yield Chat(send, sender)
    loop.close()
