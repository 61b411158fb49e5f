"""A service entry of the knowledge base: what one local office or offer does, where it
is, when it is open, and its texts in Lotse's five languages (German is the source)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import Enum

SOURCE_LANGUAGE = "de"
STATUSES = ("draft", "published", "archived")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
VERIFY_EVERY = timedelta(days=180)  # facts confirmed longer ago than this are due for checking again
FACTS = ("organisation", "address", "geo", "opening_hours", "appointment_required", "phone", "email", "website",
         "languages_spoken", "target_groups", "offers", "cost")
"""The facts of an entry a source can support (a source's `facts`)."""


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str
    district: str | None = None


@dataclass(frozen=True)
class Geo:
    lat: float
    lon: float


@dataclass(frozen=True)
class OpeningInterval:
    """One opening on one weekday; `closes` earlier than `opens` means past midnight."""

    weekday: str
    opens: time
    closes: time

    @property
    def crosses_midnight(self) -> bool:
        return self.closes <= self.opens


@dataclass(frozen=True)
class Contact:
    phone: str | None = None
    email: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class Translation:
    """The texts of one language. `source_hash` is the hash of the German texts this
    translation was made from (None for German itself)."""

    title: str
    summary: str
    offers: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    hours_note: str | None = None
    appointment_info: str | None = None
    cost: str | None = None
    source_hash: str | None = None


@dataclass(frozen=True)
class SourceDate:
    """A source's own date, as precise as the source states it: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def earliest(self) -> date:
        """The first day it may mean: facts "as of 2019" may be from January 2019."""
        return date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        return "-".join(f"{part:02d}" for part in (self.year, self.month, self.day) if part is not None)


@dataclass(frozen=True)
class Source:
    """Where facts come from: a web page or a named document, the day someone read it there,
    the source's own date when it states one, and which facts it supports. Reading a source
    is not confirming the facts with the office (that is the entry's `last_verified`)."""

    url: str
    read_on: date | None = None
    dated: SourceDate | None = None
    facts: tuple[str, ...] = ()


class TranslationStatus(str, Enum):
    MISSING = "missing"
    OUTDATED = "outdated"
    CURRENT = "current"


@dataclass(frozen=True)
class ServiceEntry:
    id: str
    status: str
    topics: tuple[str, ...]
    organisation: str
    translations: Mapping[str, Translation]
    address: Address | None = None
    geo: Geo | None = None
    opening_hours: tuple[OpeningInterval, ...] = ()
    appointment_required: bool | None = None
    contact: Contact = field(default_factory=Contact)
    languages_spoken: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    last_verified: date | None = None
    """When a person confirmed the facts with the office; None until someone did."""

    @property
    def sourced(self) -> bool:
        """Publishable: at least one source, with the day it was read."""
        return any(source.read_on for source in self.sources)

    @property
    def stated(self) -> SourceDate | None:
        """The date of the oldest dated source: the facts are at best as fresh as that."""
        return min((source.dated for source in self.sources if source.dated), key=lambda dated: dated.earliest,
                   default=None)

    @property
    def read_on(self) -> date | None:
        """The last day someone read the sources."""
        return max((source.read_on for source in self.sources if source.read_on), default=None)

    def translation_status(self, language: str) -> TranslationStatus:
        """Derived, never typed: missing, outdated (German changed since), or current."""
        if language == SOURCE_LANGUAGE:
            return TranslationStatus.CURRENT
        translation = self.translations.get(language)
        if translation is None:
            return TranslationStatus.MISSING
        if translation.source_hash != source_text_hash(self.translations[SOURCE_LANGUAGE]):
            return TranslationStatus.OUTDATED
        return TranslationStatus.CURRENT


def source_text_hash(german: Translation) -> str:
    """A short fingerprint of the German texts a translation is made from."""
    parts = [german.title, german.summary, *german.offers, *german.keywords,
             german.hours_note or "", german.appointment_info or "", german.cost or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def verification_due(entry: ServiceEntry, today: date) -> bool:
    """Never confirmed with the office, or confirmed more than VERIFY_EVERY ago: newcomers are
    told to call first, and the report lists the entry for a phone call."""
    return entry.last_verified is None or today - entry.last_verified > VERIFY_EVERY


def facts_since(entry: ServiceEntry) -> date | None:
    """The day the facts are known to hold since: confirmed with the office, else the oldest
    source's own date; None when no source states a date (the age is unknown)."""
    if entry.last_verified is not None:
        return entry.last_verified
    return entry.stated.earliest if entry.stated else None
