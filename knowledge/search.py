"""Find the services that answer a newcomer's question, ranked, in their language.

Ranking combines the topic, a lexical match of the user's words against each entry's
title, summary, offers and keywords (character n-gram TF-IDF, which survives misspellings
and transliterations), and the district. German texts and keywords are always part of an
entry's searchable text: newcomers type the German office words in every language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy.engine import Engine

from knowledge.entry import SOURCE_LANGUAGE, ServiceEntry, Translation
from knowledge.store import load_stored_entries, newest_sync
from texts import GENERAL, LANGUAGES, TOPICS

TOPIC_WEIGHT = 0.5
DISTRICT_WEIGHT = 0.2
FALLBACK_LANGUAGES = ("en", SOURCE_LANGUAGE)


@dataclass(frozen=True)
class ServiceAnswer:
    entry: ServiceEntry
    language: str  # the language of `texts`
    translated: bool  # False when the requested language was missing and `texts` fall back
    texts: Translation
    score: float


def _searchable(entry: ServiceEntry, language: str) -> str:
    chosen = [entry.translations[lang] for lang in {language, SOURCE_LANGUAGE} if lang in entry.translations]
    return " ".join(" ".join((t.title, t.summary, *t.offers, *t.keywords)) for t in chosen)


def _texts_in(entry: ServiceEntry, language: str) -> tuple[str, Translation, bool]:
    if language in entry.translations:
        return language, entry.translations[language], True
    for fallback in FALLBACK_LANGUAGES:
        if fallback in entry.translations:
            return fallback, entry.translations[fallback], False
    raise ValueError(f"entry {entry.id} has no German text")


class ServiceIndex:
    """An in-memory index over a fixed set of entries: one TF-IDF matrix per language,
    kept feature-major so that a query only touches the entries sharing its n-grams."""

    def __init__(self, entries: Sequence[ServiceEntry]) -> None:
        self.entries = tuple(entries)
        self._vectorizers, self._by_feature = {}, {}
        if not self.entries:
            return
        for language in LANGUAGES:
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), strip_accents="unicode",
                                         sublinear_tf=True)
            matrix = vectorizer.fit_transform([_searchable(e, language) for e in self.entries])
            self._by_feature[language] = matrix.T.tocsr()
            self._vectorizers[language] = vectorizer
        self._topics = {topic: np.array([topic in e.topics for e in self.entries]) for topic in TOPICS}
        self._districts = np.array([(e.address.district if e.address else None) or "" for e in self.entries])
        self._id_order = np.argsort(np.argsort([e.id for e in self.entries]))
        self._positions = {entry.id: position for position, entry in enumerate(self.entries)}

    def find(self, topic: str, language: str, text: str, district: str | None = None, limit: int = 3,
             offset: int = 0) -> list[ServiceAnswer]:
        """Entries of the topic (and general counselling's), best first; `offset` pages on ("more")."""
        if not self.entries:
            return []
        query = self._vectorizers[language].transform([text or ""])
        scores = (query @ self._by_feature[language]).toarray()[0]
        in_topic = self._topics[topic]
        scores = scores + TOPIC_WEIGHT * in_topic
        if district:
            scores = scores + DISTRICT_WEIGHT * (self._districts == district)
        eligible = np.flatnonzero(in_topic | self._topics[GENERAL])
        ranked = eligible[np.lexsort((self._id_order[eligible], -scores[eligible]))]
        return [self._answer(position, language, float(scores[position])) for position in ranked[offset:offset + limit]]

    def services(self, ids: Sequence[str], language: str) -> list[ServiceAnswer]:
        """The entries shown before, in the same order, for follow-up questions ("where is
        it?"); an entry unpublished since then is left out."""
        return [self._answer(self._positions[i], language, 0.0) for i in ids if i in self._positions]

    def districts(self, topic: str) -> frozenset[str]:
        """The districts with an office for the topic: more than one means the answer depends
        on where the newcomer lives."""
        return frozenset(str(d) for d in self._districts[self._topics[topic]] if d) if self.entries else frozenset()

    def _answer(self, position: int, language: str, score: float) -> ServiceAnswer:
        entry = self.entries[position]
        shown_language, texts, translated = _texts_in(entry, language)
        return ServiceAnswer(entry, shown_language, translated, texts, round(score, 4))


class KnowledgeBase:
    """The published entries of a store, re-read whenever a newer sync or publication has
    happened, so the bot picks up a coordinator's `sync` or the workspace's publication
    without a restart."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sync: int | None = None
        self._index = ServiceIndex(())

    def index(self) -> ServiceIndex:
        newest = newest_sync(self._engine)
        if newest != self._sync:
            self._index = ServiceIndex(load_stored_entries(self._engine))
            self._sync = newest
        return self._index

    def find_services(self, topic: str, language: str, text: str, district: str | None = None,
                      limit: int = 3, offset: int = 0) -> list[ServiceAnswer]:
        return self.index().find(topic, language, text, district, limit, offset)
