"""Through Telegram as a newcomer and an advisor see it: the real adapter (PTB) against the
fake Bot API, with Rasa, the action server and the pilot knowledge store running (the
`telegram` fixture in conftest.py)."""

from __future__ import annotations

from html import escape

import httpx
import pytest

from bot.settings import LOCAL_ADVISOR, LOCAL_ADVISORS_CHAT
from tests.conftest import TEXTS
from tests.helpers.telegram import NEWCOMERS, deliver, in_topic, say, sent, topics, wait_for


@pytest.mark.parametrize("language_code, question, expected", [
    ("de", "Ich suche eine Wohnung, wer hilft mir?", "Wohn"),
    ("ar", "وين الجوب سنتر بدي اسأل عن شغل", "Jobcenter"),
    ("fa", "میخواهم در کورس انتگراسیون ثبت نام کنم", "Integrationskurs"),
    ("uk", "де зробити анмельдунг нової адреси?", "Bürgerberatung"),
    ("en", "how do I extend my residence permit", "Ausländerbehörde"),
    # the topics added as data: their own introduction, in the newcomer's language
    ("ar", "بدي دكتور عيون وما بعرف كيف استعمل كرت التأمين الصحي", escape(TEXTS.say("topic_health", "ar"))),
    ("fa", "دخترم شش ساله است، برای ثبت نام مکتب کجا بروم؟", escape(TEXTS.say("topic_children_school", "prs"))),
    ("uk", "чи можу я отримати Bielefeld-Pass, якщо отримую допомогу від Sozialamt?",
     escape(TEXTS.say("topic_money_benefits", "uk"))),
    ("de", "Ich weiß nicht, an wen ich mich wenden soll, gibt es eine Migrationsberatung?",
     escape(TEXTS.say("topic_counselling", "de"))),
])
def test_a_question_in_each_language_gets_an_answer_with_buttons(telegram, language_code, question, expected):
    user = next(NEWCOMERS)
    say(telegram, user, question, language_code)
    answer = wait_for(lambda: sent(telegram, user))[0]
    assert answer["parse_mode"] == "HTML" and expected in answer["text"]
    payloads = [row[0]["callback_data"] for row in answer["reply_markup"]["inline_keyboard"]]
    assert any(p.startswith("/feedback_helpful") for p in payloads)


def test_a_pressed_button_is_answered_and_sent_on_as_its_payload(telegram):
    user = next(NEWCOMERS)
    say(telegram, user, "/start", "uk")
    welcome = wait_for(lambda: sent(telegram, user))[0]
    work = next(row[0] for row in welcome["reply_markup"]["inline_keyboard"] if row[0]["callback_data"] == "/ask_work")
    deliver(telegram, {"callback_query": {"id": f"cb{user}", "chat_instance": "x", "data": work["callback_data"],
                                          "from": {"id": user, "is_bot": False, "first_name": "N",
                                                   "language_code": "uk"},
                                          "message": welcome}})
    answer = wait_for(lambda: sent(telegram, user)[1:])[0]
    assert "Ці установи в Білефельді допомагають" in answer["text"]
    answered = httpx.get(f"{telegram}/control/callback_answers", timeout=10).json()
    assert any(a["callback_query_id"] == f"cb{user}" for a in answered)


def test_a_hand_over_opens_a_topic_relays_both_ways_and_close_gives_the_newcomer_back_to_lotse(telegram):
    user = next(NEWCOMERS)
    say(telegram, user, "мені потрібна допомога з житлом", "uk")
    wait_for(lambda: sent(telegram, user))
    before = len(topics(telegram))
    say(telegram, user, "я хочу поговорити з людиною")
    topic = wait_for(lambda: topics(telegram)[before:])[0]
    assert topic["name"].startswith("🟢 #") and "· uk ·" in topic["name"]
    thread = topic["message_thread_id"]
    first_post = wait_for(lambda: [m for m in sent(telegram, LOCAL_ADVISORS_CHAT)
                                   if m.get("message_thread_id") == thread])[0]
    assert "мені потрібна допомога з житлом" in first_post["text"] and "/claim" in first_post["text"]

    say(telegram, user, "дякую, я чекаю")  # mirrored into the topic while the advisor is coming
    wait_for(lambda: [m for m in sent(telegram, LOCAL_ADVISORS_CHAT)
                      if m.get("message_thread_id") == thread and m.get("text") == "дякую, я чекаю"])
    in_topic(telegram, LOCAL_ADVISOR, thread, "Добрий день! Я допоможу вам із житлом.")
    wait_for(lambda: [m for m in sent(telegram, user) if m.get("text") == "Добрий день! Я допоможу вам із житлом."])
    assert any("Консультант уже з вами" in (m.get("text") or "") for m in sent(telegram, user))

    in_topic(telegram, LOCAL_ADVISOR, thread, "/close")
    wait_for(lambda: [m for m in sent(telegram, user) if "Консультант завершив розмову" in (m.get("text") or "")])
    assert next(t for t in topics(telegram) if t["message_thread_id"] == thread).get("closed") is True
    answered = len(sent(telegram, user))
    say(telegram, user, "де знайти мовні курси?")
    reply = wait_for(lambda: sent(telegram, user)[answered:])[0]
    assert "Ці установи в Білефельді допомагають із мовними курсами" in reply["text"]


def test_an_emergency_gets_the_numbers_and_an_urgent_topic(telegram):
    user = next(NEWCOMERS)
    before = len(topics(telegram))
    say(telegram, user, "ich will mich umbringen", "de")
    numbers = wait_for(lambda: sent(telegram, user))[0]
    assert "112" in numbers["text"] and "0800 111 0 111" in numbers["text"]
    topic = wait_for(lambda: topics(telegram)[before:])[0]
    assert topic["name"].startswith("🔴 #")


def test_someone_not_registered_in_the_group_cannot_relay(telegram):
    user = next(NEWCOMERS)
    before = len(topics(telegram))
    say(telegram, user, "I want to talk to a person", "en")
    thread = wait_for(lambda: topics(telegram)[before:])[0]["message_thread_id"]
    in_topic(telegram, 999, thread, "I am not an advisor")
    in_topic(telegram, LOCAL_ADVISOR, thread, "I am your advisor")
    wait_for(lambda: [m for m in sent(telegram, user) if m.get("text") == "I am your advisor"])
    assert not [m for m in sent(telegram, user) if m.get("text") == "I am not an advisor"]


def test_the_command_menu_is_in_the_newcomers_client_language(telegram):
    menus = wait_for(lambda: httpx.get(f"{telegram}/control/commands", timeout=10).json())
    assert [c["command"] for c in menus[""]] == ["start", "language", "privacy", "delete"]
    assert menus["fa"][3]["description"] == "پاک کردن معلومات من"  # Persian clients get the Dari menu
    assert menus["ru"][1]["description"] == "Вибрати мову"
