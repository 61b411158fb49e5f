"""The entry list of the workspace: which entries a coordinator is looking for, and what each
still needs (translations per language, a phone call to confirm the facts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from knowledge.entry import SOURCE_LANGUAGE, ServiceEntry, TranslationStatus, verification_due
from knowledge.store import load_stored_entries, newest_sync
from texts import LANGUAGES

TRANSLATED = tuple(language for language in LANGUAGES if language != SOURCE_LANGUAGE)
PAGE_SIZE = 50  # rows of the list per page


@dataclass(frozen=True)
class EntryFilters:
    """What the list is narrowed to; empty means any."""

    text: str = ""  # in the id, the organisation or the German title
    topic: str = ""
    district: str = ""
    status: str = ""
    language: str = ""  # with `translation`: that language's state
    translation: str = ""  # missing, outdated or current
    due: bool = False  # facts not confirmed with the office (or long ago)


@dataclass(frozen=True)
class EntryLine:
    entry: ServiceEntry
    title: str
    district: str | None
    translations: dict[str, TranslationStatus]
    due: bool


def entry_line(entry: ServiceEntry, today: date) -> EntryLine:
    district = entry.address.district if entry.address else None
    return EntryLine(entry, entry.translations[SOURCE_LANGUAGE].title, district,
                     {language: entry.translation_status(language) for language in TRANSLATED},
                     verification_due(entry, today))


def _matches(line: EntryLine, filters: EntryFilters) -> bool:
    words = filters.text.casefold().split()
    haystack = f"{line.entry.id} {line.entry.organisation} {line.title}".casefold()
    return (all(word in haystack for word in words)
            and (not filters.topic or filters.topic in line.entry.topics)
            and (not filters.district or line.district == filters.district)
            and (not filters.status or line.entry.status == filters.status)
            and (not filters.translation or any(
                state.value == filters.translation for language, state in line.translations.items()
                if not filters.language or language == filters.language))
            and (not filters.due or line.due))


def entry_lines(entries: Iterable[ServiceEntry], today: date) -> list[EntryLine]:
    """Every entry's line, in the order of the German titles."""
    return sorted((entry_line(entry, today) for entry in entries), key=lambda line: line.title.casefold())


def filtered(lines: Sequence[EntryLine], filters: EntryFilters) -> list[EntryLine]:
    return [line for line in lines if _matches(line, filters)]


class LiveEntries:
    """The store's live entries as list lines, read and checked again only after a newer
    sync or publication (or on a new day, for the facts due): with thousands of entries,
    reading them for every page would take seconds."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._key: tuple[int | None, date] | None = None
        self._lines: list[EntryLine] = []

    def lines(self, today: date) -> list[EntryLine]:
        key = (newest_sync(self._engine), today)
        if key != self._key:
            self._lines = entry_lines(load_stored_entries(self._engine, status=None), today)
            self._key = key
        return self._lines
