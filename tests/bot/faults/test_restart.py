"""The adapter dies in the middle of a hand-over and comes back: every message sent meanwhile
arrives, none twice — on the newcomer's side and in the advisors' topic."""

from __future__ import annotations

import httpx

from bot.settings import LOCAL_ADVISOR
from tests.helpers.telegram import NEWCOMERS, in_topic, say, sent, texts_in_topic, topics, wait_for


def test_a_crash_mid_hand_over_loses_nothing_and_sends_nothing_twice(lotse_stack):
    telegram, user = lotse_stack.bot_api, next(NEWCOMERS)
    before = len(topics(telegram))
    say(telegram, user, "ich möchte mit einem Menschen sprechen", "de")
    thread = wait_for(lambda: topics(telegram)[before:])[0]["message_thread_id"]
    say(telegram, user, "Ich warte auf die Beratung")
    wait_for(lambda: "Ich warte auf die Beratung" in texts_in_topic(telegram, thread))

    lotse_stack.crash_adapter()
    meanwhile = [say(telegram, user, "Sind Sie noch da?"), say(telegram, user, "Es geht um meine Wohnung"),
                 in_topic(telegram, LOCAL_ADVISOR, thread, "Ja, ich bin da. Worum geht es?")]
    lotse_stack.start_adapter_again()
    for update in meanwhile:
        lotse_stack.handled(update)
    in_the_topic = texts_in_topic(telegram, thread)
    for text in ("Ich warte auf die Beratung", "Sind Sie noch da?", "Es geht um meine Wohnung"):
        assert in_the_topic.count(text) == 1, (text, in_the_topic)
    to_newcomer = [m.get("text") for m in sent(telegram, user)]
    assert to_newcomer.count("Ja, ich bin da. Worum geht es?") == 1
    assert in_the_topic.index("Sind Sie noch da?") < in_the_topic.index("Es geht um meine Wohnung")


def test_an_update_fetched_but_not_stored_before_a_crash_is_answered_once(lotse_stack):
    """The adapter confirms an update to Telegram only after storing it: one fetched by a
    process that died before storing it comes again and is answered by the next."""
    telegram, user = lotse_stack.bot_api, next(NEWCOMERS)
    lotse_stack.crash_adapter()
    question = say(telegram, user, "wo ist das Jobcenter?")
    fetched = httpx.post(f"{telegram}/bot{lotse_stack.token}/getUpdates", json={"timeout": 0}, timeout=10).json()
    assert any(u.get("message", {}).get("chat", {}).get("id") == user for u in fetched["result"])
    lotse_stack.start_adapter_again()
    lotse_stack.handled(question)
    answers = sent(telegram, user)
    assert len(answers) == 1 and "Jobcenter" in answers[0]["text"]
