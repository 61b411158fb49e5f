"""Lotse's conversation engine as the adapter sees it: Rasa's channel for the adapter
(rasa_server/channel.py: the REST channel behind the shared secret) for messages, and its
token-protected HTTP API for what the advisors' side does to a conversation (read the last
messages, resume it after a hand-over). The token is in no error message or log line.
RASA_URL may list several Rasa replicas separated by commas: each conversation always goes to
the same one (its lock then never waits on another replica), and all of them share the
conversations through the tracker store."""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from typing import Any

import httpx

TRANSCRIPT_MESSAGES = 10
# Rasa works on one message at a time per process, so more requests in flight only wait in
# httpx's connection pool, whose bookkeeping grows with the square of the queue: under load it
# took a quarter of the adapter's CPU. Waiting here instead costs nothing.
REQUESTS_IN_FLIGHT_PER_REPLICA = 8


CHANNEL = "/webhooks/lotse/webhook"
SECRET_HEADER = "X-Lotse-Secret"


class RasaUnavailable(Exception):
    """Rasa or its action server did not answer; the message must be kept and retried."""


@dataclass(frozen=True)
class BotReply:
    text: str | None = None
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    custom: dict[str, Any] | None = None


class RasaClient:
    def __init__(self, url: str, token: str, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._replicas = [address.strip().rstrip("/") for address in url.split(",") if address.strip()]
        self._token = token
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._in_flight = asyncio.Semaphore(REQUESTS_IN_FLIGHT_PER_REPLICA * len(self._replicas))

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[BotReply]:
        """One newcomer message through the REST channel; Rasa's answers in order."""
        response = await self._request(sender, "POST", CHANNEL, headers={SECRET_HEADER: self._token},
                                       json={"sender": sender, "message": message, "metadata": metadata})
        return [BotReply(text=item.get("text"),
                         buttons=tuple((b["title"], b["payload"]) for b in item.get("buttons") or ()),
                         custom=item.get("custom"))
                for item in response.json()]

    async def transcript(self, sender: str, count: int = TRANSCRIPT_MESSAGES) -> list[tuple[str, str]]:
        """The last messages of the conversation as (who, text), who being "newcomer" or "lotse"."""
        tracker = await self._api(sender, "GET", "/tracker", params={"include_events": "ALL"})
        lines = [("newcomer" if e["event"] == "user" else "lotse", e.get("text") or "")
                 for e in tracker.get("events", []) if e.get("event") in ("user", "bot") and e.get("text")]
        return lines[-count:]

    async def slot(self, sender: str, name: str) -> Any:
        tracker = await self._api(sender, "GET", "/tracker", params={"include_events": "NONE"})
        return (tracker.get("slots") or {}).get(name)

    async def resume(self, sender: str) -> None:
        """The advisor closed the case: Rasa answers this newcomer again. Messages logged while
        paused had no bot turn after them; the `action_listen` closes that turn, so the rules
        see a fresh question next (without it Rasa fell back and handed over again)."""
        await self._api(sender, "POST", "/tracker/events",
                        json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}])

    async def _api(self, sender: str, method: str, path: str, **kwargs: Any) -> Any:
        """Rasa's HTTP API on the conversation (`path` below /conversations/<sender>), with the token."""
        params = {**kwargs.pop("params", {}), "token": self._token}
        return (await self._request(sender, method, f"/conversations/{sender}{path}", params=params, **kwargs)).json()

    async def _request(self, sender: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        replica = self._replicas[zlib.crc32(sender.encode()) % len(self._replicas)]
        try:
            async with self._in_flight:
                response = await self._http.request(method, f"{replica}{path}", **kwargs)
            response.raise_for_status()
        except httpx.HTTPStatusError as error:
            raise RasaUnavailable(f"{method} {path}: HTTP {error.response.status_code}") from None
        except httpx.HTTPError as error:  # its text names the URL, and with it the token
            raise RasaUnavailable(f"{method} {path}: {type(error).__name__}") from None
        return response
