"""`python -m actions [--port 5055]`: the action server (rasa-sdk's executor in a Sanic app),
answering only Rasa.

- Every call but `GET /health` must carry the token Rasa sends (header `X-Lotse-Action-Token`,
  ACTION_SERVER_TOKEN in both; the endpoints files put it in the header): without it anyone
  who reaches the port could run actions in any conversation.
- It listens on loopback unless LOTSE_ACTIONS_HOST says otherwise (compose: 0.0.0.0 inside the
  containers' network, never published), and allows no cross-origin calls.
- A failed call is answered without echoing the conversation (rasa-sdk sends the whole request
  back, and Rasa logs that answer).
- The actions are made once, with their collaborators (`actions.Resources`): the knowledge
  base and answer log on DATABASE_URL (which must be migrated), the city (LOTSE_CITY) and the
  retention limit (LOTSE_RETENTION_DAYS). rasa-sdk's own `create_app` can only make actions
  without arguments, so the app is built here around its executor."""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import zlib
from collections.abc import Sequence

from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import Resources, all_actions
from actions.settings import ActionServerSettings
from cities import City, configured_city
from configuration import ConfigurationError, Environment, SharedSettings
from db import open_current
from knowledge.search import KnowledgeBase
from texts import newcomer_texts

logger = logging.getLogger("actions")
TOKEN_HEADER = "X-Lotse-Action-Token"


def action_server(token: str, actions: Sequence[Action]) -> Sanic:
    app = Sanic("lotse_actions", configure_logging=False)
    executor = ActionExecutor()
    for action in actions:
        executor.register_action(action)

    @app.middleware("request")
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path == "/health" or hmac.compare_digest(request.headers.get(TOKEN_HEADER, "").encode(),
                                                              token.encode()):
            return None
        logger.warning("action server: a call without Rasa's token refused (%s %s)", request.method, request.path)
        return response.json({"error": "this server answers only Rasa"}, status=403)

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        """One action call from Rasa (deflated when Rasa is told to compress them)."""
        call = (json.loads(zlib.decompress(request.body)) if request.headers.get("Content-Encoding") == "deflate"
                else request.json)
        if call is None:
            return response.json({"error": "Invalid body request"}, status=400)
        try:
            return response.json(await executor.run(call))
        except ActionExecutionRejection as rejected:  # a form's validation: Rasa tries another action
            return response.json({"error": rejected.message, "action_name": rejected.action_name}, status=400)
        except ActionNotFoundException as missing:
            logger.error("no action %s", missing.action_name)
            return response.json({"error": missing.message, "action_name": missing.action_name}, status=404)

    async def failed(request: Request, error: Exception) -> HTTPResponse:
        logger.error("action call failed: %s", type(error).__name__)
        return response.json({"error": "the action failed"}, status=500)

    app.error_handler.add(Exception, failed)
    return app


def resources(settings: SharedSettings, city: City) -> Resources:
    """The actions' collaborators; stops the process, naming the database and what to run,
    when it is not migrated."""
    engine = open_current(settings.database_url)
    return Resources(knowledge=KnowledgeBase(engine), answer_log=engine, city=city,
                     texts=newcomer_texts().bound(city.phrase_values()), keep_days=settings.retention_days)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    try:
        settings = ActionServerSettings.from_environment(Environment())
        city = configured_city(settings.shared.city)
    except ConfigurationError as problem:
        raise SystemExit(f"The action server cannot start: {problem}") from None
    logging.basicConfig(level=settings.shared.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = action_server(settings.token, all_actions(resources(settings.shared, city)))
    app.run(settings.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
