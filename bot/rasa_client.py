"""Lotse's conversation engine as the adapter sees it: Rasa's REST channel for messages, and
its token-protected HTTP API for what the advisors' side does to a conversation (read the last
messages, resume it after a hand-over)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncio

import httpx

TRANSCRIPT_MESSAGES = 10
# Rasa works on one message at a time per process, so more requests in flight only wait in
# httpx's connection pool, whose bookkeeping grows with the square of the queue: under load it
# took a quarter of the adapter's CPU. Waiting here instead costs nothing.
REQUESTS_IN_FLIGHT = 8


class RasaUnavailable(Exception):
    """Rasa or its action server did not answer; the message must be kept and retried."""


@dataclass(frozen=True)
class BotReply:
    text: str | None = None
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    custom: dict[str, Any] | None = None


class RasaClient:
    def __init__(self, url: str, token: str | None, timeout: float = 30.0) -> None:
        self._url = url.rstrip("/")
        self._token = token
        self._http = httpx.AsyncClient(timeout=timeout)
        self._in_flight = asyncio.Semaphore(REQUESTS_IN_FLIGHT)

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[BotReply]:
        """One newcomer message through the REST channel; Rasa's answers in order."""
        response = await self._request("POST", "/webhooks/rest/webhook",
                                       json={"sender": sender, "message": message, "metadata": metadata})
        return [BotReply(text=item.get("text"),
                         buttons=tuple((b["title"], b["payload"]) for b in item.get("buttons") or ()),
                         custom=item.get("custom"))
                for item in response.json()]

    async def transcript(self, sender: str, count: int = TRANSCRIPT_MESSAGES) -> list[tuple[str, str]]:
        """The last messages of the conversation as (who, text), who being "newcomer" or "lotse"."""
        tracker = await self._api("GET", f"/conversations/{sender}/tracker", params={"include_events": "ALL"})
        lines = [("newcomer" if e["event"] == "user" else "lotse", e.get("text") or "")
                 for e in tracker.get("events", []) if e.get("event") in ("user", "bot") and e.get("text")]
        return lines[-count:]

    async def slot(self, sender: str, name: str) -> Any:
        tracker = await self._api("GET", f"/conversations/{sender}/tracker", params={"include_events": "NONE"})
        return (tracker.get("slots") or {}).get(name)

    async def resume(self, sender: str) -> None:
        """The advisor closed the case: Rasa answers this newcomer again. Messages logged while
        paused had no bot turn after them; the `action_listen` closes that turn, so the rules
        see a fresh question next (without it Rasa fell back and handed over again)."""
        await self._api("POST", f"/conversations/{sender}/tracker/events",
                        json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}])

    async def _api(self, method: str, path: str, **kwargs: Any) -> Any:
        """Rasa's HTTP API, which wants the token."""
        params = {**kwargs.pop("params", {}), **({"token": self._token} if self._token else {})}
        return (await self._request(method, path, params=params, **kwargs)).json()

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            async with self._in_flight:
                response = await self._http.request(method, f"{self._url}{path}", **kwargs)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailable(str(error)) from error
        return response
