"""What reaches the adapter's log: no message text, no Telegram id, no bot token, no token
of Rasa's API (httpx logs every request URL, and Rasa takes its token only in the URL). PTB and
httpx log whole updates and request URLs at debug level; a filter on the log handlers
replaces every text value and Telegram id by a short keyed hash (the same message or person
gives the same hash, so a log still tells a story) and the token in a URL by `<token>`."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

# "text": "…", 'caption': '…' as JSON or a dict's repr, and text='…' as PTB's objects print
# themselves (an Update at DEBUG); ids of users and chats; a shared location's coordinates.
_PERSONAL = r"text|caption|first_name|last_name|username|phone_number|title|address|vcard|name"
_TEXT = re.compile(rf"""(?P<key>["'](?:{_PERSONAL})["']\s*:\s*|(?<![\w.])(?:{_PERSONAL})=)"""
                   r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
_IDS = r"id|user_id|chat_id|from_chat_id|sender_chat_id"
_ID = re.compile(rf"""(?P<key>["'](?:{_IDS})["']\s*:\s*|(?<![\w.])(?:{_IDS})=)(?P<value>-?\d{{5,}})""")
_PLACE = re.compile(r"""(?P<key>["']?(?<![\w.])(?:latitude|longitude)["']?\s*[:=]\s*)(?P<value>-?\d+(?:\.\d+)?)""")
_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]{20,}")
_QUERY_TOKEN = re.compile(r"(?P<key>[?&]token=)[^&\s\"']+")  # Rasa's API token in a request URL


class Pseudonymising(logging.Filter):
    def __init__(self, key: bytes) -> None:
        super().__init__()
        self._key = key

    def _hash(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:8]

    def redact(self, message: str) -> str:
        message = _QUERY_TOKEN.sub(r"\g<key><token>", _TOKEN.sub("bot<token>", message))
        message = _TEXT.sub(lambda m: f'{m["key"]}"‹{self._hash(m["value"][1:-1])}›"', message)
        message = _PLACE.sub(lambda m: f'{m["key"]}"‹place›"', message)
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
