"""A question in any language finds the right kind of office first, in the user's language."""

from __future__ import annotations

import copy

from devtools.scratch import migrated
from knowledge.entry import Address, ServiceEntry, Translation
from knowledge.search import KnowledgeBase, ServiceIndex
from knowledge.store import sync
from tests.conftest import BIELEFELD
from tests.helpers.entries import VALID, write_entry


def entry(entry_id: str, topics: tuple[str, ...], district: str | None = None, **texts: Translation) -> ServiceEntry:
    return ServiceEntry(id=entry_id, status="published", topics=topics, organisation="Example",
                        translations=texts, address=Address("Beispielweg 1", "33602", "Bielefeld", district))


def t(title: str, summary: str, *keywords: str) -> Translation:
    return Translation(title=title, summary=summary, keywords=keywords)


ENTRIES = [
    entry("vhs-integrationskurse", ("language_course",), "Mitte",
          de=t("Integrationskurse der Volkshochschule", "Deutschkurse mit Orientierungskurs.", "Integrationskurs",
               "Deutschkurs"),
          prs=t("کورس‌های ادغام در مکتب عالی مردمی", "کورس لسان آلمانی با کورس آشنایی.", "انتگراسیون کورس",
                "کورس لسان"),
          uk=t("Інтеграційні курси народного університету", "Курси німецької мови.", "інтеграційний курс")),
    entry("sprachcafe-brackwede", ("language_course",), "Brackwede",
          de=t("Sprachcafé im Stadtteil", "Deutsch üben im Gespräch, ohne Anmeldung.", "Sprachcafé", "Deutsch üben")),
    entry("buergerberatung", ("residence",), "Mitte",
          de=t("Bürgerberatung", "Anmeldung und Ummeldung des Wohnsitzes.", "Anmeldung", "Meldebescheinigung"),
          uk=t("Бюргербератунг (Bürgerberatung)", "Реєстрація місця проживання (Anmeldung).", "анмельдунг",
               "реєстрація адреси"),
          prs=t("دفتر خدمات شهروندی (Bürgerberatung)", "ثبت آدرس (Anmeldung).", "انملدونگ")),
    entry("auslaenderbehoerde", ("residence",), "Mitte",
          de=t("Ausländerbehörde", "Aufenthaltstitel, Verlängerung, Fiktionsbescheinigung.", "Aufenthaltstitel"),
          uk=t("Відомство у справах іноземців (Ausländerbehörde)", "Дозвіл на перебування, продовження.",
               "дозвіл на перебування"),
          prs=t("اداره امور خارجیان (Ausländerbehörde)", "اجازه اقامت و تمدید آن.", "اقامت")),
    entry("jobcenter", ("work", "housing"), "Mitte",
          de=t("Jobcenter", "Bürgergeld, Arbeitssuche, Miete und Heizung.", "Jobcenter", "Bürgergeld")),
]


def test_a_dari_question_about_an_integration_course_lists_the_course_provider_first():
    index = ServiceIndex(ENTRIES)
    answers = index.find("language_course", "prs", "میخواهم در انتگراسیون کورس ثبت نام کنم")
    assert answers[0].entry.id == "vhs-integrationskurse"
    assert answers[0].language == "prs" and answers[0].translated
    assert {a.entry.id for a in answers} == {"vhs-integrationskurse", "sprachcafe-brackwede"}


def test_a_ukrainian_question_about_anmeldung_lists_the_buergerberatung_first():
    answers = ServiceIndex(ENTRIES).find("residence", "uk", "де зробити анмельдунг нової адреси")
    assert [a.entry.id for a in answers] == ["buergerberatung", "auslaenderbehoerde"]
    assert answers[0].texts.title == "Бюргербератунг (Bürgerberatung)"


def test_a_missing_translation_falls_back_visibly_to_german():
    answers = ServiceIndex(ENTRIES).find("language_course", "ar", "اريد اتعلم الماني")
    cafe = next(a for a in answers if a.entry.id == "sprachcafe-brackwede")
    assert cafe.language == "de" and not cafe.translated
    assert cafe.texts.title == "Sprachcafé im Stadtteil"


def test_the_users_district_moves_a_local_offer_up():
    index = ServiceIndex(ENTRIES)
    anywhere = {a.entry.id: a.score for a in index.find("language_course", "de", "deutsch lernen")}
    brackwede = {a.entry.id: a.score for a in index.find("language_course", "de", "deutsch lernen",
                                                         district="Brackwede")}
    assert brackwede["sprachcafe-brackwede"] > anywhere["sprachcafe-brackwede"]
    assert brackwede["vhs-integrationskurse"] == anywhere["vhs-integrationskurse"]


def test_only_services_of_the_topic_are_offered_and_more_pages_on():
    index = ServiceIndex(ENTRIES)
    assert [a.entry.id for a in index.find("work", "de", "arbeit", limit=3)] == ["jobcenter"]
    first = index.find("residence", "de", "aufenthaltstitel verlängern", limit=1)
    more = index.find("residence", "de", "aufenthaltstitel verlängern", limit=1, offset=1)
    assert first[0].entry.id == "auslaenderbehoerde" and more[0].entry.id == "buergerberatung"


def test_a_new_sync_is_picked_up_without_a_restart(store_url, tmp_path):
    engine = migrated(store_url)
    knowledge = KnowledgeBase(engine)
    assert knowledge.find_services("language_course", "de", "kurs") == []
    data = copy.deepcopy(VALID)
    data.update(status="published", sources=[{"url": "https://example.org/source", "read_on": "2026-11-01"}])
    write_entry(tmp_path, data)
    sync(engine, tmp_path, BIELEFELD.district_names)
    (answer,) = knowledge.find_services("language_course", "de", "integrationskurs")
    assert answer.entry.id == "vhs-integrationskurse"
    engine.dispose()


def test_a_topic_with_offices_in_several_districts_names_them_in_the_citys_order():
    index = ServiceIndex(ENTRIES)
    assert index.districts("language_course") == {"Mitte", "Brackwede"}
    assert index.districts("residence") == {"Mitte"}


def test_follow_ups_get_the_services_shown_before_in_the_same_order_and_language():
    shown = ServiceIndex(ENTRIES).services(["auslaenderbehoerde", "archived-since", "buergerberatung"], "uk")
    assert [a.entry.id for a in shown] == ["auslaenderbehoerde", "buergerberatung"]
    assert shown[0].texts.title == "Відомство у справах іноземців (Ausländerbehörde)"
