"""The one translation table: everything Lotse says, per phrase and language
(`actions/phrases.yml`). Actions look phrases up here instead of in domain responses, so
composed answers (a service card with "open now" in the user's language) and plain replies
come from the same place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

from nlu.language import DEFAULT_LANGUAGE
from retention.limits import configured_days

RIGHT_TO_LEFT = frozenset({"ar", "prs"})
TABLE = Path(__file__).resolve().parent / "phrases.yml"


class Phrases:
    def __init__(self, table: Mapping[str, Mapping[str, str]]) -> None:
        self._table = table

    def keys(self) -> list[str]:
        return list(self._table)

    def say(self, key: str, language: str | None, **values: str) -> str:
        """The phrase in `language` (English when unknown), its {placeholders} filled."""
        texts = self._table[key]
        return texts.get(language or DEFAULT_LANGUAGE, texts[DEFAULT_LANGUAGE]).format(**values)

    def weekday(self, index: int, language: str | None) -> str:
        """Monday is 0; the names sit in one phrase, separated by |."""
        return self.say("weekdays", language).split("|")[index]


@lru_cache(maxsize=1)
def phrases() -> Phrases:
    return Phrases(yaml.safe_load(TABLE.read_text(encoding="utf-8")))


def privacy_notice(language: str | None) -> str:
    """What is stored, for how long (the limit the city set), who sees it."""
    return phrases().say("privacy", language, days=str(configured_days()))
