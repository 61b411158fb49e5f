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
VERIFY_EVERY = timedelta(days=180)  # facts older than this are due for checking


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
    source: str | None = None
    last_verified: date | None = None

    @property
    def verified(self) -> bool:
        """Facts count as verified only with a named source and a verification date."""
        return bool(self.source) and self.last_verified is not None

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
    """Never verified, or verified more than VERIFY_EVERY ago: newcomers are told to call first."""
    return entry.last_verified is None or today - entry.last_verified > VERIFY_EVERY
