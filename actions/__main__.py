"""`python -m actions [--port 5055]`: the action server (rasa-sdk), answering only Rasa.

- Every call but `GET /health` must carry the token Rasa sends (header `X-Lotse-Action-Token`,
  ACTION_SERVER_TOKEN in both; the endpoints files put it in the header): without it anyone
  who reaches the port could run actions in any conversation.
- It listens on loopback unless LOTSE_ACTIONS_HOST says otherwise (compose: 0.0.0.0 inside the
  containers' network, never published), and allows no cross-origin calls (rasa-sdk allows
  every origin by default).
- A failed call is answered without echoing the conversation (rasa-sdk sends the whole request
  back, and Rasa logs that answer)."""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from knowledge.store import default_store

logger = logging.getLogger("actions")
TOKEN_HEADER = "X-Lotse-Action-Token"


def action_server(token: str) -> Sanic:
    app = create_app("actions", cors_origins=None)

    @app.middleware("request")
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path == "/health" or hmac.compare_digest(request.headers.get(TOKEN_HEADER, "").encode(),
                                                              token.encode()):
            return None
        logger.warning("action server: a call without Rasa's token refused (%s %s)", request.method, request.path)
        return response.json({"error": "this server answers only Rasa"}, status=403)

    async def failed(request: Request, error: Exception) -> HTTPResponse:
        logger.error("action call failed: %s", type(error).__name__)
        return response.json({"error": "the action failed"}, status=500)

    app.error_handler.add(Exception, failed)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    token = os.environ.get("ACTION_SERVER_TOKEN")
    if not token:
        raise SystemExit("ACTION_SERVER_TOKEN is not set: the action server answers only calls carrying it")
    logging.basicConfig(level=os.environ.get("LOTSE_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    default_store()  # stops here, saying what to run, on a database that is not migrated
    action_server(token).run(os.environ.get("LOTSE_ACTIONS_HOST", "127.0.0.1"), args.port, workers=1,
                             access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
