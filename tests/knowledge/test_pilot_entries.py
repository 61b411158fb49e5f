"""The Bielefeld pilot data the bot ships with: enough published, sourced, fully
translated entries for every topic, and questions find the right office in it."""

from __future__ import annotations

import pytest

from knowledge.entry import TranslationStatus
from knowledge.search import ServiceIndex
from knowledge.validation import load_entries
from tests.conftest import BIELEFELD, PROJECT_ROOT
from texts import LANGUAGES, TOPICS

ENTRIES = PROJECT_ROOT / "knowledge" / "entries"


@pytest.fixture(scope="module")
def published():
    return [entry for entry in load_entries(ENTRIES, BIELEFELD.district_names) if entry.status == "published"]


def test_at_least_45_published_entries_cover_every_topic(published):
    assert len(published) >= 45
    for topic in TOPICS:
        assert sum(topic in entry.topics for entry in published) >= 3, topic


def test_a_womens_shelter_gives_no_address(published):
    """Its address is kept secret to protect the women living there; the way in is by phone."""
    shelters = [entry for entry in published if "frauenhaus" in (entry.id + entry.organisation).lower()]
    assert shelters
    for entry in shelters:
        assert not (entry.address and (entry.address.street or entry.address.postcode)) and entry.geo is None, entry.id


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
    ("ar", "عندي اقامة مؤقتة Aufenthaltsgestattung وين بطلب المصاري من السوسيال امت", "money_benefits",
     "sozialamt-asylbewerberleistungen"),
    ("uk", "як отримати Bielefeld-Pass зі знижками", "money_benefits", "bielefeld-pass"),
    ("de", "Wo bekomme ich günstig Lebensmittel, Tafel?", "money_benefits", "tafel"),
    ("prs", "برای واکسین اطفال به Gesundheitsamt کجا بروم", "health", "gesundheitsamt"),
    ("en", "my child is sick on sunday where is the children's emergency practice", "health", "kinder-notfallpraxis"),
    ("de", "Wie bekomme ich einen Kitaplatz für meine Tochter?", "children_school", "kita"),
    ("uk", "як записати дитину до школи в Білефельді", "children_school", "schulanmeldung"),
    ("en", "I do not know which office is responsible, where can I get general migration advice?", "counselling",
     "willkommen-buero"),
    ("de", "Migrationsberatung für Erwachsene MBE bei der Diakonie", "counselling", "diakonie-migrationsberatung"),
])
def test_questions_in_each_language_find_the_right_office_first(published, language, question, topic, expected):
    answers = ServiceIndex(published).find(topic, language, question)
    assert expected in answers[0].entry.id
    assert answers[0].language == language and answers[0].translated
