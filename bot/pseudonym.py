"""The sender id Rasa and the logs see instead of a Telegram user id: an HMAC of the id with a
secret key, stable across restarts (the conversation continues) and useless without the key
(nobody reads a Telegram account out of Rasa's tracker store or a log line)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path


def pseudonym(telegram_user_id: int, key: bytes) -> str:
    return "tg-" + hmac.new(key, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()[:24]


def pseudonym_key(configured: str | None, local_key_file: Path) -> bytes:
    """The configured key (LOTSE_PSEUDONYM_KEY, required in production); for a local try-out,
    a key made once and kept in `local_key_file` (var/, never committed), so conversations
    survive a restart."""
    if configured:
        return configured.encode()
    if not local_key_file.exists():
        local_key_file.parent.mkdir(parents=True, exist_ok=True)
        local_key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        local_key_file.chmod(0o600)
    return local_key_file.read_text(encoding="utf-8").strip().encode()
