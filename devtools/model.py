"""Load the newest trained model from `models/` and parse messages with it, in-process —
the same way outside evaluation does (`Agent.load`, `parse_message`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.model import get_local_model
from rasa.utils.endpoints import EndpointConfig

from actions.__main__ import TOKEN_HEADER as ACTION_TOKEN_HEADER
from rasa_server.patches import install_patches

logger = logging.getLogger(__name__)


def quiet_rasa_logs(level: int = logging.WARNING) -> None:
    """Rasa logs every parse (with its text) at debug level; scripts need only warnings."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(level)
    configure_structlog(level)


def load_agent(model_dir: Path | str = "models", action_server: str | None = None,
               action_token: str | None = None) -> Agent:
    """The newest model in `model_dir` (Rasa names models by training time), talking to the
    action server at `action_server` (its /webhook URL, with its token) when given."""
    install_patches()  # as the server runs
    model_path = get_local_model(str(model_dir))
    logger.info("Loading model %s", model_path)
    endpoint = EndpointConfig(url=action_server, headers={ACTION_TOKEN_HEADER: action_token or ""})
    return Agent.load(model_path, action_endpoint=endpoint if action_server else None)


async def parse(agent: Agent, text: str) -> dict[str, Any]:
    return await agent.parse_message(text)
