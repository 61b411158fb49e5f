"""The phrase tables: one sentence per key and language, with {placeholders}. Newcomers' and
advisors' texts are separate tables, read once (they are part of the release)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml

from texts.languages import DEFAULT_LANGUAGE
from texts.topics import topic_phrases

HERE = Path(__file__).resolve().parent


class Phrases:
    """A phrase table, with the values its phrases share (the city's name, its emergency
    numbers) given once by `bound`; a value may differ per language (a mapping language ->
    text, English standing in for a missing one)."""

    def __init__(self, table: Mapping[str, Mapping[str, str]],
                 values: Mapping[str, str | Mapping[str, str]] | None = None) -> None:
        self._table = table
        self._values = dict(values or {})

    def bound(self, values: Mapping[str, str | Mapping[str, str]]) -> Phrases:
        """The same table, with `values` filled into every phrase that asks for them."""
        return Phrases(self._table, {**self._values, **values})

    def keys(self) -> list[str]:
        return list(self._table)

    def say(self, key: str, language: str | None, **values: str) -> str:
        """The phrase in `language` (English when unknown), its {placeholders} filled."""
        texts, language = self._table[key], language or DEFAULT_LANGUAGE
        shared = {name: value if isinstance(value, str) else value.get(language, value[DEFAULT_LANGUAGE])
                  for name, value in self._values.items()}
        return texts.get(language, texts[DEFAULT_LANGUAGE]).format(**shared, **values)

    def weekday(self, index: int, language: str | None) -> str:
        """Monday is 0; the names sit in one phrase, separated by |."""
        return self.say("weekdays", language).split("|")[index]


def load_phrases(path: Path) -> Phrases:
    return Phrases(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def newcomer_texts() -> Phrases:
    """What Lotse says to newcomers (texts/newcomers.yml, and the topics' buttons and
    intros from texts/topics.yml)."""
    return Phrases({**yaml.safe_load((HERE / "newcomers.yml").read_text(encoding="utf-8")), **topic_phrases()})


@lru_cache(maxsize=1)
def advisor_texts() -> Phrases:
    """What Lotse posts in the advisors' group (texts/advisors.yml)."""
    return load_phrases(HERE / "advisors.yml")


@lru_cache(maxsize=1)
def workspace_texts() -> Phrases:
    """The coordinators' workspace's pages (texts/workspace.yml)."""
    return load_phrases(HERE / "workspace.yml")


def privacy_notice(texts: Phrases, language: str | None, keep_days: int) -> str:
    """What is stored, for how long (the retention limit the city set), who sees it."""
    return texts.say("privacy", language, days=str(keep_days))
