"""The Bielefeld pilot data the bot ships with: enough published, sourced, fully
translated entries for all four topics, and questions find the right office in it."""

from __future__ import annotations

import pytest

from knowledge.entry import TranslationStatus
from knowledge.search import ServiceIndex
from knowledge.validation import load_entries
from tests.conftest import BIELEFELD, PROJECT_ROOT
from texts import LANGUAGES

ENTRIES = PROJECT_ROOT / "knowledge" / "entries"


@pytest.fixture(scope="module")
def published():
    return [entry for entry in load_entries(ENTRIES, BIELEFELD.district_names) if entry.status == "published"]


def test_at_least_25_published_entries_cover_all_four_topics(published):
    assert len(published) >= 25
    for topic in ("housing", "language_course", "work", "residence"):
        assert sum(topic in entry.topics for entry in published) >= 3, topic


def test_every_published_entry_is_sourced_and_current_in_all_five_languages(published):
    for entry in published:
        assert entry.sourced, entry.id
        assert all(entry.translation_status(language) is TranslationStatus.CURRENT for language in LANGUAGES), entry.id


@pytest.mark.parametrize("language, question, topic, expected", [
    ("prs", "میخواهم در کورس انتگراسیون ثبت نام کنم", "language_course", "integrationskurs"),
    ("uk", "де зробити анмельдунг, я переїхала в нову квартиру", "residence", "buergerberatung"),
    ("ar", "وين الجوب سنتر بدي اسأل عن شغل", "work", "jobcenter"),
    ("de", "Ich habe die Kündigung bekommen und verliere meine Wohnung", "housing", "wohnungsnotfallhilfe"),
    ("en", "I need to extend my residence permit", "residence", "auslaenderbehoerde"),
])
def test_questions_in_each_language_find_the_right_office_first(published, language, question, topic, expected):
    answers = ServiceIndex(published).find(topic, language, question)
    assert expected in answers[0].entry.id
    assert answers[0].language == language and answers[0].translated
