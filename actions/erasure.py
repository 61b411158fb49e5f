"""Erasing a conversation (`/delete`): its events in Rasa's tracker store are replaced by
none, through Rasa's HTTP API (`PUT /conversations/<id>/tracker/events`). Rasa holds the
conversation's lock while the current turn runs, so the request waits until the turn that
asked for it is saved, and then nothing of the conversation remains.

That holds for the in-memory store of `make run` and for the production SQL store, which is
Rasa's made able to erase (dialogue/tracker_store.py: Rasa's own only ever appends rows)."""

from __future__ import annotations

import asyncio
import logging
import os
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)
_running: set[asyncio.Task] = set()  # keeps scheduled erasures alive until they are done


def schedule_erasure(sender_id: str) -> bool:
    """Start erasing; False when this action server does not know Rasa's API (RASA_URL)."""
    url, token = os.environ.get("RASA_URL"), os.environ.get("RASA_TOKEN")
    if not url:
        logger.warning("cannot erase a conversation: RASA_URL (and RASA_TOKEN) are not set")
        return False
    task = asyncio.get_running_loop().create_task(_erase(url, token, sender_id))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return True


async def _erase(url: str, token: str | None, sender_id: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.put(f"{url}/conversations/{quote(sender_id, safe='')}/tracker/events",
                               params={"token": token} if token else None, json=[]) as reply:
            if reply.status != 200:
                logger.error("erasing a conversation failed with HTTP %s", reply.status)
