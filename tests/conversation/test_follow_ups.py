"""After an answer, the newcomer asks on about the same offices: where, when, in which
district; and says whether the answer helped. The topic is kept; nothing is asked twice."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from devtools.scratch import migrated
from knowledge.answers import AnswerRow
from tests.conftest import BIELEFELD
from tests.helpers.rasa_channel import card_titles


def payload_entities(payload: str) -> dict:
    return json.loads(payload[payload.index("{"):])


def test_a_residence_answer_asks_for_the_district_and_the_pressed_district_comes_first_from_then_on(chat):
    _, question = chat("де зробити анмельдунг, я переїхала в нову квартиру", language_code="uk")
    assert "Де ви живете?" in question["text"]
    assert [b["title"] for b in question["buttons"]] == list(BIELEFELD.district_names)
    brackwede = next(b["payload"] for b in question["buttons"] if b["title"] == "Brackwede")
    (again,) = chat(brackwede)
    assert "Спершу установи в районі Brackwede:" in again["text"]
    assert "Бракведе" in card_titles(again)[0]
    later = chat("мені потрібна Meldebescheinigung")  # remembered: not asked again
    assert len(later) == 1 and "Бракведе" in card_titles(later[0])[0]


def test_a_typed_district_after_an_answer_answers_the_same_question_for_that_district(chat):
    chat("Wo bekomme ich eine Meldebescheinigung und mache die Anmeldung?", language_code="de")
    (answer,) = chat("und in Sennestadt?")
    assert "Zuerst die Stellen in Sennestadt:" in answer["text"]
    assert "Sennestadt" in card_titles(answer)[0]


def test_a_district_without_such_an_office_is_said_honestly(chat):
    chat("Wo bekomme ich eine Meldebescheinigung und mache die Anmeldung?", language_code="de")
    (answer,) = chat("/inform_district{\"district\": \"Dornberg\"}")
    assert "In Dornberg kenne ich dafür keine Stelle." in answer["text"] and card_titles(answer)


def test_where_is_it_gives_the_addresses_of_the_offices_just_shown(chat):
    answer = chat("I need to register my new address (Anmeldung)", language_code="en")[0]
    (where,) = chat("where is it?")
    assert where["text"].startswith("This is where you find them:")
    assert card_titles(where) == card_titles(answer)
    assert where["text"].count("📍 ") == len(card_titles(answer))


def test_and_on_a_weekday_gives_the_hours_of_the_offices_just_shown_on_that_day(chat):
    answer = chat("ich möchte im sprachcafé deutsch üben", language_code="de")[0]
    (hours,) = chat("und am Dienstag?")
    today = datetime.now(BIELEFELD.time_zone).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7)
    assert hours["text"].startswith(f"Öffnungszeiten am Dienstag, {tuesday:%d.%m.}:")
    assert card_titles(hours) == card_titles(answer)
    assert "16:00–18:00" in hours["text"]  # the AWO Sprachcafé, Tuesdays


def test_a_dari_question_for_tomorrow_is_answered_for_tomorrows_date(chat):
    chat("میخواهم در کورس انتگراسیون ثبت نام کنم", language_code="fa")
    (hours,) = chat("فردا باز است؟")
    tomorrow = datetime.now(BIELEFELD.time_zone).date() + timedelta(days=1)
    assert "ساعات کاری روز" in hours["text"] and f"{tomorrow:%d.%m.}" in hours["text"]


def test_a_follow_up_before_any_answer_asks_for_the_topic(chat):
    (reply,) = chat("wo ist das?", language_code="de")
    assert "Zu welchem Thema ist Ihre Frage" in reply["text"]


def test_a_thumbs_down_is_stored_with_the_answer_but_not_the_person_and_offers_an_advisor(chat, knowledge_store):
    answer = chat("من دنبال خانه هستم، کمک میخواهم برای کرایه خانه", language_code="fa")[0]
    assert answer["text"].endswith("آیا این به شما کمک کرد؟")
    up, down = (b for b in answer["buttons"] if b["title"] in ("👍", "👎"))
    (sorry,) = chat(down["payload"])
    assert "متأسفم" in sorry["text"] and sorry["buttons"][-1]["payload"] == "/request_human"
    engine = migrated(knowledge_store)
    with Session(engine) as session:
        row = session.get(AnswerRow, payload_entities(down["payload"])["answer_id"])
        assert row is not None
        assert row.helpful is False and row.topic == "housing" and row.language == "prs"
        assert row.entry_ids and "خانه" not in json.dumps(row.entry_ids)  # what was shown, never what was asked
    (thanks,) = chat(up["payload"])  # changing one's mind: the last press counts
    assert thanks["text"] == "از نظر شما تشکر!"
    with Session(engine) as session:
        row = session.get(AnswerRow, payload_entities(up["payload"])["answer_id"])
        assert row is not None and row.helpful is True
    engine.dispose()


def test_a_shared_location_sets_the_district_of_the_place_the_newcomer_is(chat):
    chat("I need to register my new address (Anmeldung)", language_code="en")
    (answer,) = chat('/inform_district{"latitude": 51.95, "longitude": 8.59}')
    assert "Offices in Sennestadt first:" in answer["text"] and "Sennestadt" in card_titles(answer)[0]


def test_a_place_lotse_does_not_know_gets_the_district_buttons(chat):
    chat("I need to register my new address (Anmeldung)", language_code="en")
    (reply,) = chat('/inform_district{"latitude": 52.52, "longitude": 13.40}')  # Berlin
    assert reply["text"] == "I do not know this part of the city. Please tap your district:"
    assert [b["title"] for b in reply["buttons"]] == list(BIELEFELD.district_names)
