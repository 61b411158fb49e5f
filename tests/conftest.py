"""Shared fixtures: the trained model is loaded once per test session from `models/`
(`make test` trains it first when it is missing or older than its data)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def agent():
    from nlu.model import load_agent

    return load_agent(PROJECT_ROOT / "models")


@pytest.fixture(scope="session")
def parse(agent) -> Callable[[str], Dict[str, Any]]:
    """Parse one message with the trained model, as outside evaluation does."""
    from nlu.model import parse as parse_with

    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(parse_with(agent, text))
    loop.close()
