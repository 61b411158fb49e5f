"""The whole of Lotse behind the fake Telegram Bot API, started once for the bot tests."""

from __future__ import annotations

import secrets

import pytest

from bot.local import free_port, start_adapter, start_lotse, stop


@pytest.fixture(scope="session")
def lotse_stack(knowledge_store) -> dict[str, str]:
    """Base addresses of the fake Bot API (`bot_api`) and of the try-out page (`tryout`)."""
    rasa_port, bot_api_port, tryout_port, token = free_port(), free_port(), free_port(), secrets.token_urlsafe(16)
    env = {"DATABASE_URL": knowledge_store, "LOTSE_PSEUDONYM_KEY": "test-key"}
    servers = start_lotse(rasa_port, free_port(), token, env=env)
    servers += start_adapter(rasa_port, token, bot_api_port, tryout_port, env=env)
    yield {"bot_api": f"http://127.0.0.1:{bot_api_port}", "tryout": f"http://127.0.0.1:{tryout_port}"}
    stop(servers)


@pytest.fixture
def telegram(lotse_stack) -> str:
    return lotse_stack["bot_api"]
