"""A chat in the terminal through Rasa's REST channel, exactly as Telegram users will reach
it: so anyone can try Lotse without a Telegram token. Buttons are numbered; type the number."""

from __future__ import annotations

import re
import sys
import uuid
from html import unescape

import httpx

from bot.rasa_client import SECRET_HEADER
from texts import newcomer_texts

TAGS = re.compile(r"</?(b|i|a|code)(\s[^>]*)?>")


def as_terminal_text(html: str) -> str:
    """Telegram HTML as plain terminal text."""
    return unescape(TAGS.sub("", html))


def chat(webhook: str, secret: str, language_code: str | None = None) -> None:
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    buttons: list[dict[str, str]] = []
    print("Lotse — write your question (Deutsch, العربية, دری, Українська, English). /stop ends the chat.")
    for line in sys.stdin:
        text = line.strip()
        if text == "/stop":
            return
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        if not text:
            continue
        reply = httpx.post(webhook, headers={SECRET_HEADER: secret}, timeout=30,
                              json={"sender": sender, "message": text, "metadata": {"language_code": language_code}})
        reply.raise_for_status()
        buttons = []
        for message in reply.json():
            if "text" in message:
                print(as_terminal_text(message["text"]), end="\n\n")
            if "custom" in message and "handover" in message["custom"]:
                print("[handed over to an advisor — in Telegram, a person answers from here]\n")
            erasure = (message.get("custom") or {}).get("delete_conversation")
            if erasure:  # Rasa's channel erased it (or says it could not)
                print(newcomer_texts().say("deleted" if erasure.get("erased") else "delete_failed",
                                           erasure.get("language")),
                      end="\n\n")
            for button in message.get("buttons", []):
                buttons.append(button)
                print(f"  [{len(buttons)}] {button['title']}")
