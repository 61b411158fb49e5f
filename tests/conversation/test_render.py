"""How one service looks in Telegram: the facts a newcomer needs, safe HTML, readable
right-to-left."""

from __future__ import annotations

from datetime import date, datetime, time

from actions.phrases import phrases
from actions.render import LEFT_TO_RIGHT_MARK, RIGHT_TO_LEFT_MARK, answer_message, service_card
from knowledge.entry import Address, Contact, OpeningInterval, ServiceEntry, Translation
from knowledge.hours import BERLIN
from knowledge.search import ServiceAnswer

GERMAN = Translation(title="Ausländerbehörde <Bielefeld>", summary="Aufenthalt & Visum.")
ARABIC = Translation(title="دائرة الأجانب", summary="الإقامة والتأشيرة.", hours_note="بموعد <فقط>")
OFFICE = ServiceEntry(
    id="abh", status="published", topics=("residence",), organisation="Stadt Bielefeld",
    translations={"de": GERMAN, "ar": ARABIC},
    address=Address("Niederwall 23", "33602", "Bielefeld", "Mitte"),
    opening_hours=(OpeningInterval("tue", time(8), time(12)),),
    appointment_required=True,
    contact=Contact(phone="+49 521 51-0", website="https://www.bielefeld.de/abh"),
    languages_spoken=("de", "en"),
    source="https://www.bielefeld.de/abh", last_verified=date(2026, 11, 1),
)
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)


def card(language: str, texts: Translation, at: datetime = MONDAY, entry: ServiceEntry = OFFICE,
         translated: bool = True, shown: str | None = None) -> str:
    answer = ServiceAnswer(entry, shown or language, translated, texts, 1.0)
    return service_card(answer, language, at, phrases())


def test_an_arabic_card_shows_the_german_office_term_address_hours_and_contact_right_to_left():
    text = card("ar", ARABIC)
    assert "<b>دائرة الأجانب (Ausländerbehörde &lt;Bielefeld&gt;)</b>" in text
    assert f"📍 {LEFT_TO_RIGHT_MARK}Niederwall 23, 33602 Bielefeld (Mitte){LEFT_TO_RIGHT_MARK}" in text
    assert f"يفتح يوم الثلاثاء الساعة {LEFT_TO_RIGHT_MARK}08:00{LEFT_TO_RIGHT_MARK}" in text
    assert "<i>بموعد &lt;فقط&gt;</i>" in text and "📅 بموعد مسبق فقط" in text
    assert "☎️ " + LEFT_TO_RIGHT_MARK + "+49 521 51-0" in text and "de, en" in text
    assert all(line.startswith(RIGHT_TO_LEFT_MARK) for line in text.splitlines())


def test_open_now_and_a_missing_translation_are_said_in_the_users_language():
    text = card("uk", GERMAN, at=TUESDAY_MORNING, translated=False, shown="de")
    assert text.splitlines()[0] == "ℹ️ Ще не перекладено, ось німецькою:"
    assert "🟢 Зараз відчинено" in text and RIGHT_TO_LEFT_MARK not in text
    assert "<b>Ausländerbehörde &lt;Bielefeld&gt;</b>" in text and "Aufenthalt &amp; Visum." in text


def test_unknown_hours_and_stale_facts_are_admitted_not_hidden():
    from dataclasses import replace

    stale = replace(OFFICE, opening_hours=(), last_verified=date(2025, 1, 10))
    text = card("en", GERMAN, entry=stale, translated=False, shown="de")
    assert "Opening hours unknown" in text and "not been checked for a while" in text
    assert "Open now" not in text and "Closed now" not in text


def test_an_answer_starts_with_one_sentence_and_separates_the_cards():
    answer = ServiceAnswer(OFFICE, "de", True, GERMAN, 1.0)
    message = answer_message("Diese Stellen helfen:", [answer, answer], "de", MONDAY, phrases())
    assert message.startswith("Diese Stellen helfen:\n\n<b>") and message.count("\n\n<b>") == 2
