"""What reaches the adapter's log: no message text, no Telegram id, no bot token. PTB and
httpx log whole updates and request URLs at debug level; a filter on the log handlers
replaces every text value and Telegram id by a short keyed hash (the same message or person
gives the same hash, so a log still tells a story) and the token in a URL by `<token>`."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

# "text": "…", 'caption': '…' as JSON or as a Python dict's repr; ids of users and chats.
_TEXT = re.compile(r"""(?P<key>["'](?:text|caption|first_name|last_name|username|phone_number)["']\s*:\s*)"""
                   r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
_ID = re.compile(r"""(?P<key>["'](?:id|user_id|chat_id|from_chat_id)["']\s*:\s*)(?P<value>-?\d{5,})""")
_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]{20,}")


class Pseudonymising(logging.Filter):
    def __init__(self, key: bytes) -> None:
        super().__init__()
        self._key = key

    def _hash(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:8]

    def redact(self, message: str) -> str:
        message = _TOKEN.sub("bot<token>", message)
        message = _TEXT.sub(lambda m: f'{m["key"]}"‹{self._hash(m["value"][1:-1])}›"', message)
        return _ID.sub(lambda m: f'{m["key"]}"‹{self._hash(m["value"])}›"', message)

    def filter(self, record: logging.LogRecord) -> bool:
        """Formats the record once, redacted; a traceback is redacted as text too."""
        record.msg, record.args = self.redact(record.getMessage()), ()
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def keep_logs_private(key: bytes) -> None:
    """Installs the filter on every handler of the root logger (call after basicConfig)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(Pseudonymising(key))
