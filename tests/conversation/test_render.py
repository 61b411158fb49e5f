"""How one service looks in Telegram: the facts a newcomer needs, safe HTML, readable
right-to-left."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import pytest

from actions.render import (
    LEFT_TO_RIGHT_MARK,
    RIGHT_TO_LEFT_MARK,
    answer_message,
    hours_message,
    location_message,
    service_card,
)
from knowledge.entry import Address, Contact, Geo, OpeningInterval, ServiceEntry, Source, SourceDate, Translation
from knowledge.search import ServiceAnswer
from tests.conftest import BIELEFELD, TEXTS

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
    sources=(Source("https://www.bielefeld.de/abh", read_on=date(2026, 10, 30)),), last_verified=date(2026, 11, 1),
)
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=BIELEFELD.time_zone)
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=BIELEFELD.time_zone)


def card(language: str, texts: Translation, at: datetime = MONDAY, entry: ServiceEntry = OFFICE,
         translated: bool = True, shown: str | None = None) -> str:
    answer = ServiceAnswer(entry, shown or language, translated, texts, 1.0)
    return service_card(answer, language, at, TEXTS, BIELEFELD)


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
    stale = replace(OFFICE, opening_hours=(), last_verified=date(2025, 1, 10))
    text = card("en", GERMAN, entry=stale, translated=False, shown="de")
    assert "Opening hours unknown" in text and "As of 10.1.2025: last confirmed with the office. Please call" in text
    assert "Open now" not in text and "Closed now" not in text


@pytest.mark.parametrize("entry, expected", [
    (OFFICE, "✅ As of 1.11.2026: confirmed with the office."),
    (replace(OFFICE, last_verified=None,
             sources=(Source("https://a.example", date(2026, 11, 22), SourceDate(2024)),
                      Source("https://b.example", date(2026, 11, 22), SourceDate(2019, 5)))),
     "⚠️ As of 5/2019, from public sources, not confirmed with the office. Please call before you go."),
    (replace(OFFICE, last_verified=None, sources=(Source("https://a.example", date(2026, 11, 22)),)),
     "⚠️ From public sources (read on 22.11.2026; they give no date of their own), not confirmed with the office."),
])
def test_the_card_says_how_fresh_the_facts_are_from_the_right_date(entry, expected):
    assert expected in card("en", GERMAN, entry=entry, translated=False, shown="de")


def test_an_as_of_date_stays_left_to_right_in_arabic():
    sourced = replace(OFFICE, last_verified=None, sources=(Source("https://a.example", date(2026, 11, 22),
                                                                  SourceDate(2019, 5)),))
    assert f"بتاريخ {LEFT_TO_RIGHT_MARK}5/2019{LEFT_TO_RIGHT_MARK}" in card("ar", ARABIC, entry=sourced)


def test_an_answer_starts_with_one_sentence_and_separates_the_cards():
    answer = ServiceAnswer(OFFICE, "de", True, GERMAN, 1.0)
    message = answer_message("Diese Stellen helfen:", [answer, answer], "de", MONDAY, TEXTS, BIELEFELD)
    assert message.startswith("Diese Stellen helfen:\n\n<b>") and message.count("\n\n<b>") == 2
    assert message.endswith("\n\nHat Ihnen das geholfen?")


def test_where_gives_each_address_and_a_map_link_only_where_the_entry_has_coordinates():
    located = replace(OFFICE, geo=Geo(52.0206, 8.535))
    unknown = replace(OFFICE, address=None)
    message = location_message("Hier finden Sie die Stellen:", [ServiceAnswer(located, "de", True, GERMAN, 0.0),
                                                                 ServiceAnswer(unknown, "de", True, GERMAN, 0.0)],
                               "de", TEXTS)
    located_card, unknown_card = message.split("\n\n")[1:]
    assert "📍 Niederwall 23, 33602 Bielefeld (Mitte)" in located_card
    map_link = "https://www.openstreetmap.org/?mlat=52.0206&amp;mlon=8.535#map=17/52.0206/8.535"
    assert f'<a href="{map_link}">Karte</a>' in located_card
    assert "📍 Adresse nicht bekannt" in unknown_card and "<a " not in unknown_card


def test_hours_on_a_day_say_closed_or_public_holiday_and_the_week_lists_every_opening():
    answer = ServiceAnswer(OFFICE, "ar", True, ARABIC, 0.0)
    tuesday = hours_message([answer], "ar", date(2026, 11, 24), MONDAY, TEXTS, BIELEFELD)
    assert f"أوقات الدوام يوم الثلاثاء {LEFT_TO_RIGHT_MARK}24.11.{LEFT_TO_RIGHT_MARK}:" in tuesday
    assert f"{LEFT_TO_RIGHT_MARK}08:00–12:00{LEFT_TO_RIGHT_MARK}" in tuesday
    assert all(line.startswith(RIGHT_TO_LEFT_MARK) for line in tuesday.splitlines() if line)
    assert "مغلق" in hours_message([answer], "ar", date(2026, 11, 25), MONDAY, TEXTS, BIELEFELD)
    english = ServiceAnswer(OFFICE, "de", False, GERMAN, 0.0)
    christmas_tuesday = date(2029, 12, 25)
    assert "public holiday – closed" in hours_message([english], "en", christmas_tuesday, MONDAY, TEXTS, BIELEFELD)
    week = hours_message([english], "en", None, MONDAY, TEXTS, BIELEFELD)
    assert week.startswith("Opening hours:") and "🔴 Closed now · opens Tuesday at 08:00" in week
    assert "Tuesday: 08:00–12:00" in week.splitlines()
    assert not any(line.startswith("Monday") for line in week.splitlines())
