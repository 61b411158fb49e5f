"""Rasa's channel for the adapter and its tracker, as the adapter uses them; the answers' cards."""

from __future__ import annotations

import re

import httpx

from bot.rasa_client import CHANNEL, SECRET_HEADER


def say(server: str, token: str, sender: str, text: str, language_code: str = "uk") -> list[dict]:
    """One message through Rasa's channel for the adapter, as the adapter sends it."""
    reply = httpx.post(f"{server}{CHANNEL}", timeout=60, headers={SECRET_HEADER: token},
                          json={"sender": sender, "message": text, "metadata": {"language_code": language_code}})
    reply.raise_for_status()
    return reply.json()


def stored_events(server: str, token: str, sender: str) -> list[dict]:
    """Every event Rasa holds of the conversation, in all its sessions, restarts included."""
    reply = httpx.get(f"{server}/conversations/{sender}/tracker", params={"token": token, "include_events": "ALL"},
                         timeout=10)
    reply.raise_for_status()
    return reply.json()["events"]


def said_in(events: list[dict]) -> list[str]:
    """What the newcomer wrote or was told, as stored."""
    return [e["text"] for e in events if e["event"] in ("user", "bot") and e.get("text")]


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def card_titles(message: dict) -> list[str]:
    return re.findall(r"<b>(.*?)</b>", message["text"])
