"""The channel the Telegram adapter talks to Rasa through: Rasa's REST channel
(`POST /webhooks/lotse/webhook` with the same JSON), with three changes.

- **Only the adapter may speak.** Every request must carry the shared secret (header
  `X-Lotse-Secret`, the `secret` in credentials.yml, from RASA_TOKEN): Rasa's own REST channel
  takes any sender id from anyone who reaches it. Rasa refuses to start without a secret.
- **Rasa erases what it owns.** When an answer asks for the conversation to be erased (the
  newcomer said yes to `/delete`: `{"custom": {"delete_conversation": {"language": …}}}`), the
  channel replaces the conversation with none in the tracker store under its lock before it
  answers, and adds `"erased": true` (or false when that failed three times): the erasure
  needs no API token in another process, and the adapter confirms it only when it is done.
- **Nothing personal in the log, and failures are failures.** Rasa's REST channel logs the
  message text when handling fails and answers 200 with nothing; here the failure is logged
  without the text and answered 500, so that the adapter keeps the message and tries again."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Lotse-Secret"
ERASE = "delete_conversation"  # the custom answer of action_delete_conversation
ERASE_PAUSES = (0.5, 1.0, 0.0)  # seconds after each failed try


class AdapterChannel(RestInput):
    """In credentials.yml: `rasa_server.channel.AdapterChannel: {secret: ${RASA_TOKEN}}`."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    @classmethod
    def name(cls) -> str:
        return "lotse"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> AdapterChannel:
        secret = str((credentials or {}).get("secret") or "")
        if not secret:
            raise RasaException("credentials.yml: rasa_server.channel.AdapterChannel needs a `secret` (RASA_TOKEN)")
        return cls(secret)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        channel = Blueprint("lotse_adapter_channel", __name__)

        @channel.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @channel.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self._secret.encode()):
                return response.json({"error": "this channel answers only Lotse's Telegram adapter"}, status=403)
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender or not isinstance(text, str):
                return response.json({"error": "expected {\"sender\": …, \"message\": …}"}, status=400)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=self.get_metadata(request)))
                erasures = [message["custom"][ERASE] for message in collector.messages
                            if isinstance(message.get("custom"), dict) and message["custom"].get(ERASE)]
                if erasures:
                    erased = await erase(request.app.ctx.agent, sender)
                    for erasure in erasures:
                        erasure["erased"] = erased
            except Exception as error:  # noqa: BLE001 - answered as a failure, logged without the message
                logger.error("handling a message of %s failed: %s", sender, type(error).__name__)
                return response.json({"error": "the message could not be handled"}, status=500)
            return response.json(collector.messages)

        return channel


async def erase(agent: Any, sender: str) -> bool:
    """Replaces the conversation with none, as Rasa's `PUT …/tracker/events []` does (the
    production store, rasa_server/tracker_store.py, then deletes every stored session); tried
    three times, since a newcomer who asked must not be told "deleted" when it was not."""
    for pause in ERASE_PAUSES:
        try:
            async with agent.lock_store.lock(sender):
                await agent.tracker_store.save(DialogueStateTracker.from_dict(sender, [], agent.domain.slots))
            logger.info("conversation %s erased", sender)
            return True
        except Exception as error:  # noqa: BLE001 - the store's or the lock's failure, whichever
            logger.warning("erasing conversation %s failed (%s)", sender, type(error).__name__)
            await asyncio.sleep(pause)
    return False
