"""No message text, name, username, Telegram id, location or phone number reaches the log of
any of the three processes, all at DEBUG (Rasa's own log included), while things go wrong: an
action that fails (its knowledge store gone), Rasa away, a stranger in the advisors' group. A
whole stack of its own writes into one file, which is then searched for what the newcomer said
and is."""

from __future__ import annotations

import secrets
import shutil
import sqlite3

import pytest

from devtools.local import free_port, kill, start_adapter, start_lotse, stop
from tests.helpers.telegram import deliver, in_group, sent, wait_for

pytestmark = [pytest.mark.model, pytest.mark.stack]  # starts its own servers

USER = 777001
PERSON = {"id": USER, "is_bot": False, "first_name": "Olenka", "last_name": "Kowalczuk", "username": "olenka_kw",
          "language_code": "de"}
# what must never be in a log line
PERSONAL = ("Olenka", "Kowalczuk", "olenka_kw", str(USER), "Quokkastraße", "Zebrafink", "99887766", "52.0123",
            "8.5321", "Lemurenweg")


def written(telegram: str, text: str) -> None:
    deliver(telegram, {"message": {"chat": {"id": USER, "type": "private"}, "from": PERSON, "text": text}})


def test_nothing_personal_reaches_any_log_while_things_go_wrong(tmp_path, knowledge_store):
    knowledge = tmp_path / "knowledge.db"
    shutil.copy(knowledge_store.removeprefix("sqlite:///"), knowledge)
    rasa_port, actions_port, bot_api_port, token = free_port(), free_port(), free_port(), secrets.token_urlsafe(16)
    log = tmp_path / "stack.log"
    with log.open("wb") as output:
        servers = start_lotse(rasa_port, actions_port, token, output=output,
                              env={"DATABASE_URL": f"sqlite:///{knowledge}", "LOTSE_LOG_LEVEL": "DEBUG",
                                                   "LOG_LEVEL": "DEBUG"})
        try:
            servers += start_adapter(rasa_port, token, bot_api_port, output=output, env={
                "DATABASE_URL": f"sqlite:///{tmp_path / 'adapter.db'}", "LOTSE_LOG_LEVEL": "DEBUG",
                "LOTSE_PSEUDONYM_KEY": "log-test-key", "LOTSE_OFFICE_HOURS": "always", "LOTSE_RETRY_SECONDS": "1"})
            telegram = f"http://127.0.0.1:{bot_api_port}"
            written(telegram, "Ich heiße Olenka Kowalczuk, wohne in der Quokkastraße 5 und suche eine Wohnung")
            wait_for(lambda: sent(telegram, USER), seconds=90)
            deliver(telegram, {"message": {"chat": {"id": USER, "type": "private"}, "from": PERSON,
                                           "location": {"latitude": 52.0123, "longitude": 8.5321}}})
            deliver(telegram, {"message": {"chat": {"id": USER, "type": "private"}, "from": PERSON, "contact": {
                "phone_number": "+49 151 99887766", "first_name": "Olenka", "user_id": USER}}})
            wait_for(lambda: len(sent(telegram, USER)) >= 3, seconds=60)

            with sqlite3.connect(knowledge) as database:  # every action answering from it now fails
                database.execute("ALTER TABLE knowledge_syncs RENAME TO knowledge_syncs_gone")
            answered = len(sent(telegram, USER))
            written(telegram, "Wo finde ich einen Deutschkurs? Mein Vogel heißt Zebrafink")
            wait_for(lambda: sent(telegram, USER)[answered:], seconds=60)

            in_group(telegram, 990099, "/queue", name="Stranger Lemurenweg")
            kill(servers[1])  # Rasa away
            answered = len(sent(telegram, USER))
            written(telegram, "Sind Sie da? Ich wohne im Lemurenweg 3")
            wait_for(lambda: sent(telegram, USER)[answered:], seconds=60)
            wait_for(lambda: "Rasa unavailable" in log.read_text(errors="replace"), seconds=30)
        finally:
            stop(servers)
    logged = log.read_text(errors="replace")
    # the failures happened, and were logged
    assert "action action_answer_topic failed: OperationalError" in logged and "Rasa unavailable" in logged
    assert "ignored tg-" in logged and "DEBUG" in logged
    leaks = {word: [line for line in logged.splitlines() if word in line][:2] for word in PERSONAL if word in logged}
    assert leaks == {}
