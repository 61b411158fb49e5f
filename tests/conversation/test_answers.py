"""A newcomer's question gets the right kind of local office, in their language, and a
person when they need one."""

from __future__ import annotations

from html import escape

import pytest

from tests.conftest import TEXTS
from tests.helpers.rasa_channel import card_titles, texts
from texts import RIGHT_TO_LEFT


@pytest.mark.parametrize("language_code, question, intro, expected_office", [
    ("uk", "де зробити анмельдунг, я переїхала в нову квартиру", "Ці установи в Білефельді допомагають",
     "Bürgerberatung"),
    ("fa", "میخواهم در کورس انتگراسیون ثبت نام کنم", "این جاها در بیلفلد", "Integrationskurs"),
    ("ar", "وين الجوب سنتر بدي اسأل عن شغل", "هذه الجهات في بيليفيلد", "Jobcenter"),
    ("de", "Ich habe die Kündigung bekommen und brauche eine Wohnung",
     "Diese Stellen in Bielefeld helfen beim Thema Wohnen", "Wohn"),
    ("en", "how do I extend my residence permit", "These places in Bielefeld help with residence", "Ausländerbehörde"),
])
def test_a_topic_question_is_answered_with_matching_offices_in_the_users_language(
        chat, language_code, question, intro, expected_office):
    answer = chat(question, language_code=language_code)[0]  # a second message may ask for the district
    assert intro in answer["text"]
    titles = card_titles(answer)
    assert 1 <= len(titles) <= 3
    assert expected_office in titles[0], titles


def test_the_more_button_shows_the_next_offices_of_the_same_question(chat):
    (first,) = chat("I am looking for a flat, can someone help with housing", language_code="en")
    assert first["buttons"][0] == {"title": "More places", "payload": "/more"}
    (second,) = chat("/more")
    assert "These places in Bielefeld help with housing" in second["text"]
    assert not set(card_titles(first)) & set(card_titles(second))


def test_an_emergency_gets_the_numbers_first_then_an_urgent_hand_over_and_the_bot_pauses(chat):
    messages = chat("ich will mich umbringen", language_code="de")
    assert "112" in messages[0]["text"] and "0800 111 0 111" in messages[0]["text"] and "116 016" in messages[0]["text"]
    assert "Beratung" in messages[1]["text"]
    handover = messages[2]["custom"]["handover"]
    assert handover["priority"] == "urgent" and handover["language"] == "de"
    assert handover["summary"] == ["ich will mich umbringen"]
    assert chat("hallo?") == []  # an advisor answers from here on


def test_the_button_of_the_danger_question_hands_over_urgently(chat):
    messages = chat("/emergency", language_code="prs")
    assert messages[0]["text"] == TEXTS.say("emergency", "prs")
    assert messages[-1]["custom"]["handover"]["priority"] == "urgent"


def test_asking_for_a_person_hands_over_with_the_topic_of_the_conversation(chat):
    chat("де знайти інтеграційний курс німецької мови", language_code="uk")
    messages = chat("я хочу поговорити з людиною")
    assert "консультант" in texts(messages)
    handover = messages[-1]["custom"]["handover"]
    assert handover == {"language": "uk", "topic": "language_course", "priority": "normal", "reason": "request_human",
                        "summary": ["де знайти інтеграційний курс німецької мови", "я хочу поговорити з людиною"]}


def test_the_language_follows_the_newcomer_when_they_switch(chat):
    (arabic,) = chat("مرحبا، أريد أن أتعلم اللغة الألمانية", language_code="ar")
    assert "هذه الجهات في بيليفيلد" in arabic["text"]
    (ukrainian,) = chat("а де можна знайти житло?")
    assert "Ці установи в Білефельді допомагають із житлом" in ukrainian["text"]


def test_start_shows_who_lotse_is_a_privacy_notice_and_the_first_page_of_the_topic_menu(chat):
    (welcome,) = chat("/start", language_code="uk")
    assert "Lotse" in welcome["text"] and "Захист даних" in welcome["text"]
    assert [b["title"] for b in welcome["buttons"]] == ["🏠 Житло", "📚 Мовні курси", "💼 Робота", "🪪 Перебування",
                                                         "➕ Інші теми", "Поговорити з людиною"]
    (answer,) = chat(welcome["buttons"][1]["payload"])
    assert "Ці установи в Білефельді допомагають із мовними курсами" in answer["text"]


def test_more_topics_shows_the_second_page_of_the_menu_and_leads_back_to_the_first(chat):
    (welcome,) = chat("/start", language_code="ar")
    (more,) = chat(next(b["payload"] for b in welcome["buttons"] if b["title"] == "➕ مواضيع أخرى"))
    assert "Lotse" not in more["text"]  # only the menu, not the welcome again
    assert [b["title"] for b in more["buttons"]] == ["💶 المال والمساعدات", "🩺 الصحة", "🎒 الأطفال والمدرسة",
                                                      "🧭 استشارة: من أين أبدأ؟", "↩️ العودة إلى المواضيع الأولى",
                                                      "التحدث مع شخص"]
    money, *_district_question = chat(more["buttons"][0]["payload"])
    assert escape(TEXTS.say("topic_money_benefits", "ar")) in money["text"]
    (back,) = chat(more["buttons"][4]["payload"])
    assert [b["title"] for b in back["buttons"]][:4] == ["🏠 السكن", "📚 دورات اللغة", "💼 العمل", "🪪 الإقامة"]


NEW_TOPIC_QUESTIONS = {
    "health": {
        "de": "Wo finde ich einen Hausarzt und wie bekomme ich meine Gesundheitskarte von der Krankenkasse?",
        "ar": "كيف بحصل على كرت التأمين الصحي وبدي دكتور عام",
        "fa": "برای معاینه به داکتر ضرورت دارم، بیمه صحی چطور کار می‌کند؟",
        "uk": "як знайти сімейного лікаря і що робити без медичної страховки",
        "en": "how do I find a family doctor and get my health insurance card",
    },
    "children_school": {
        "de": "Mein Sohn ist acht Jahre alt, wo melde ich ihn in der Schule an?",
        "ar": "بدي سجل بنتي بالروضة Kita كيف بعمل",
        "fa": "پسرم هفت ساله است، چطور او را در مکتب ثبت نام کنم؟",
        "uk": "як знайти місце в дитсадку для доньки",
        "en": "where can I register my daughter for school in Bielefeld",
    },
    "money_benefits": {
        "de": "Ich habe eine Duldung, wer zahlt mir Geld zum Leben?",
        "ar": "ما عندي مصاري للأكل، في مساعدة بالطعام؟",
        "fa": "پول ما تمام شده، از کجا کمک پولی بگیریم؟",
        "uk": "як подати документи на Kindergeld на двох дітей",
        "en": "I have no money left for food this month, where can I get help",
    },
    "counselling": {
        "de": "Ich weiß nicht, welches Amt zuständig ist. Wo bekomme ich allgemeine Beratung?",
        "ar": "ما بعرف لوين روح بأوراقي، في مكان يعطيني استشارة عامة؟",
        "fa": "نمی‌دانم کدام اداره مسئول است، کجا مشوره بگیرم؟",
        "uk": "не знаю, до якої установи звернутися, де отримати консультацію для мігрантів",
        "en": "I don't know which office to go to, where can I get general advice as a migrant",
    },
}


@pytest.mark.parametrize("topic, language_code, question", [
    (topic, language_code, question)
    for topic, questions in NEW_TOPIC_QUESTIONS.items() for language_code, question in questions.items()])
def test_the_new_topics_are_answered_in_every_language_with_their_offices(chat, topic, language_code, question):
    language = "prs" if language_code == "fa" else language_code
    answer = chat(question, language_code=language_code)[0]
    assert escape(TEXTS.say(f"topic_{topic}", language)) in answer["text"], answer["text"][:200]
    assert 1 <= len(card_titles(answer)) <= 3
    assert (answer["text"].startswith("\u200f")) is (language in RIGHT_TO_LEFT)


def test_a_question_outside_every_topic_gets_the_general_counselling_offices_and_a_person(chat):
    offer, answer, *_ = chat("what do you think, who will win the football world cup?", language_code="en")
    assert "I have no answer to this myself" in offer["text"]
    assert offer["buttons"] == [{"title": "Talk to an advisor", "payload": "/request_human"}]
    assert escape(TEXTS.say("topic_counselling", "en")) in answer["text"] and card_titles(answer)


def test_not_understood_asks_did_you_mean_then_offers_an_advisor_then_hands_over(chat):
    (clarify,) = chat("asdfgh", language_code="de")
    assert "Meinten Sie eines dieser Themen?" in clarify["text"]
    assert clarify["buttons"][-1] == {"title": "Mit einem Menschen sprechen", "payload": "/request_human"}
    (offer,) = chat("12345")
    assert "Soll ich Sie mit einem Menschen aus der Beratung verbinden?" in offer["text"]
    messages = chat("xyz qwertz")
    assert messages[-1]["custom"]["handover"]["reason"] == "nlu_fallback"
    assert messages[-1]["custom"]["handover"]["summary"] == ["asdfgh", "12345", "xyz qwertz"]


def test_a_topic_button_after_a_clarification_searches_with_the_words_of_the_question(chat):
    chat("asdfgh", language_code="en")
    answer = chat("/ask_residence")[0]
    assert "These places in Bielefeld help with residence" in answer["text"]
    (again,) = chat("hmm")  # the counter starts again after an answer
    assert "Did you mean one of these topics?" in again["text"]


def test_the_language_picker_switches_the_answers_to_the_chosen_language(chat):
    (picker,) = chat("/choose_language", language_code="de")
    assert [b["title"] for b in picker["buttons"]] == ["Deutsch", "العربية", "دری", "Українська", "English"]
    (confirmation,) = chat(picker["buttons"][2]["payload"])
    assert confirmation["text"] == "خوب، حالا به دری جواب می‌دهم. سوال شما چیست؟"
    (answer,) = chat("/ask_work")
    assert "این جاها در بیلفلد در موضوع کار (Arbeit) کمک می‌کنند" in answer["text"]
