"""The languages Lotse speaks, and which of them a Telegram client's language means."""

from __future__ import annotations

LANGUAGES = ("de", "ar", "prs", "uk", "en")
DEFAULT_LANGUAGE = "en"
"""For a first message without any usable text: the lingua franca most newcomers read."""
RIGHT_TO_LEFT = frozenset({"ar", "prs"})

# Many Ukrainians run Telegram in Russian; Afghans often run it in Persian (fa) or Pashto.
_CLIENT_LANGUAGES = {"de": "de", "ar": "ar", "fa": "prs", "prs": "prs", "ps": "prs", "uk": "uk", "ru": "uk", "en": "en"}


def language_from_client_code(language_code: str | None) -> str | None:
    """Map Telegram's IETF `language_code` ("fa-AF", "uk", "ru") to a Lotse language."""
    if not language_code:
        return None
    return _CLIENT_LANGUAGES.get(language_code.lower().replace("_", "-").split("-")[0])


def serving_language(language_code: str | None) -> str:
    """The language to answer in when only the Telegram client's language is known: that
    one if Lotse speaks it, else English."""
    return language_from_client_code(language_code) or DEFAULT_LANGUAGE
