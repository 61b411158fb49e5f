"""What arrives besides plain questions: Rasa unreachable (an apology, then the message to an
advisor), media (mirrored during a hand-over, otherwise a note that Lotse reads text), and
`/delete`, which also erases the newcomer's cases."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.pseudonym import pseudonym
from bot.settings import LOCAL_ADVISOR, LOCAL_ADVISORS_CHAT
from cases.store import CaseStore, TopicToDeleteRow
from devtools.local import free_port
from devtools.scratch import migrated
from tests.conftest import TEXTS
from tests.helpers.telegram import NEWCOMERS, deliver, in_topic, open_case, posts_in, say, sent, topics, wait_for


def photo_from(telegram: str, user: int) -> None:
    deliver(telegram, {"message": {"chat": {"id": user, "type": "private"}, "caption": "mein Brief",
                                   "photo": [{"file_id": "letter-photo", "file_unique_id": "u1", "width": 90,
                                              "height": 90}],
                                   "from": {"id": user, "is_bot": False, "first_name": "N", "language_code": "de"}}})


def test_while_rasa_is_unreachable_the_newcomer_hears_so_once_and_an_advisor_gets_the_message(lotse_stack):
    telegram, user = lotse_stack.bot_api, next(NEWCOMERS)
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again(RASA_URL=f"http://127.0.0.1:{free_port()}", LOTSE_RETRY_SECONDS="1",
                                    LOTSE_GIVE_UP_SECONDS="4")
    try:
        before = len(topics(telegram))
        say(telegram, user, "мені потрібна квартира", "uk")
        apology = wait_for(lambda: sent(telegram, user))[0]
        assert apology["text"].startswith("Вибачте, зараз я не можу відповісти")
        topic = wait_for(lambda: topics(telegram)[before:], seconds=60)[0]
        assert wait_for(lambda: "мені потрібна квартира" in posts_in(telegram, topic["message_thread_id"]))
        assert [m["text"] for m in sent(telegram, user)].count(apology["text"]) == 1
    finally:
        lotse_stack.crash_adapter()
        lotse_stack.start_adapter_again()


def test_a_photo_outside_a_hand_over_gets_a_note_that_lotse_reads_text(telegram):
    user = next(NEWCOMERS)
    photo_from(telegram, user)
    note = wait_for(lambda: sent(telegram, user))[0]
    assert note["text"].startswith("Ich kann nur Text lesen")
    assert note["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/request_human"


def test_a_photo_during_a_hand_over_reaches_the_advisors_topic(telegram):
    user, thread = open_case(telegram, "de", "Ich möchte mit einem Menschen sprechen")
    photo_from(telegram, user)
    wait_for(lambda: [m for m in sent(telegram, LOCAL_ADVISORS_CHAT)
                      if m.get("message_thread_id") == thread and m.get("caption") == "mein Brief" and m.get("photo")])


def test_an_advisors_voice_message_and_photo_reach_the_newcomer(telegram):
    user, thread = open_case(telegram, "ar", "أريد التحدث مع مستشار")
    topic_message = {"chat": {"id": LOCAL_ADVISORS_CHAT, "type": "supergroup", "is_forum": True},
                     "message_thread_id": thread, "is_topic_message": True,
                     "from": {"id": LOCAL_ADVISOR, "is_bot": False, "first_name": "Advisor"}}
    deliver(telegram,
            {"message": {**topic_message, "voice": {"file_id": "advice-voice", "file_unique_id": "v1", "duration": 4}}})
    deliver(telegram, {"message": {**topic_message, "caption": "هذا هو النموذج",
                                   "photo": [{"file_id": "form-photo", "file_unique_id": "p1", "width": 90,
                                              "height": 90}]}})
    def media_received() -> list[dict]:
        return [m for m in sent(telegram, user) if "voice" in m or "photo" in m]

    wait_for(lambda: len(media_received()) >= 2)
    media = media_received()
    assert media[0]["voice"]["file_id"] == "advice-voice"
    assert media[1]["photo"][0]["file_id"] == "form-photo" and media[1]["caption"] == "هذا هو النموذج"


def press(telegram: str, user: int, payload: str, language_code: str = "de") -> None:
    """The newcomer presses the button with `payload` under the last message that has one."""
    message = wait_for(lambda: [m for m in sent(telegram, user) if payload in str(m.get("reply_markup"))])[-1]
    deliver(telegram, {"callback_query": {"id": f"press{user}{message['message_id']}", "chat_instance": "x",
                                          "data": payload, "message": message,
                                          "from": {"id": user, "is_bot": False, "first_name": "N",
                                                   "language_code": language_code}}})


def test_delete_erases_the_newcomers_cases_their_topic_and_telegram_updates_then_says_so(telegram, lotse_stack):
    user, thread = open_case(telegram, "en", "I want to talk to a person")
    in_topic(telegram, LOCAL_ADVISOR, thread, "/close")
    wait_for(lambda: [m for m in sent(telegram, user) if "closed the conversation" in (m.get("text") or "")])
    engine = migrated(lotse_stack.stack_database)
    cases = CaseStore(engine)
    assert cases.case_in_thread(thread) is not None
    say(telegram, user, "/delete", "en")  # the Telegram command
    press(telegram, user, "/affirm", "en")
    deleted = TEXTS.say("deleted", "en")
    wait_for(lambda: [m for m in sent(telegram, user) if m.get("text") == deleted])
    assert cases.case_in_thread(thread) is None and cases.active_case_of(pseudonym(user, b"test-key")) is None
    assert next(t for t in topics(telegram) if t["message_thread_id"] == thread).get("deleted") is True
    with engine.connect() as connection:
        left = connection.execute(sa.text("SELECT count(*) FROM telegram_updates WHERE chat_id = :chat"),
                                  {"chat": user}).scalar_one()
    assert left == 0  # not even the "yes" that asked for it


def test_privacy_during_a_hand_over_is_answered_in_the_newcomers_language(telegram):
    user, thread = open_case(telegram, "uk", "хочу поговорити з людиною")
    say(telegram, user, "/privacy")
    assert wait_for(lambda: [m for m in sent(telegram, user)
                             if (m.get("text") or "").startswith("🔒 Захист даних у Lotse")])
    assert "/privacy" not in posts_in(telegram, thread)


def test_delete_during_a_hand_over_closes_the_case_then_asks(telegram, lotse_stack):
    user, thread = open_case(telegram, "de", "Ich möchte mit einem Menschen sprechen")
    say(telegram, user, "/delete")
    wait_for(lambda: [m for m in sent(telegram, user) if "/affirm" in str(m.get("reply_markup"))])
    assert wait_for(lambda: [t for t in posts_in(telegram, thread) if t.startswith("Die Person hat gebeten")])
    assert next(t for t in topics(telegram) if t["message_thread_id"] == thread).get("closed") is True
    press(telegram, user, "/affirm")
    cases = CaseStore(migrated(lotse_stack.stack_database))
    wait_for(lambda: cases.case_in_thread(thread) is None)


def test_the_topic_of_a_case_past_the_retention_limit_is_deleted_in_telegram(lotse_stack):
    """The retention job cannot reach Telegram: it leaves the topic for the adapter."""
    telegram = lotse_stack.bot_api
    user, thread = open_case(telegram, "en", "I want to talk to a person")
    in_topic(telegram, LOCAL_ADVISOR, thread, "/close")
    wait_for(lambda: [m for m in sent(telegram, user) if "closed the conversation" in (m.get("text") or "")])
    engine = migrated(lotse_stack.stack_database)
    with Session(engine) as session, session.begin():
        session.add(TopicToDeleteRow(thread_id=thread, queued_at=datetime.now(timezone.utc)))
    lotse_stack.crash_adapter()
    lotse_stack.start_adapter_again()  # the adapter looks at start, then every few minutes
    wait_for(lambda: next(t for t in topics(telegram) if t["message_thread_id"] == thread).get("deleted"), seconds=60)
    wait_for(lambda: CaseStore(engine).topics_to_delete() == [])
