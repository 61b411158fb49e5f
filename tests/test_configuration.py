"""Every service reads its configuration in one place and says exactly which variable is wrong
and why; with a real Telegram token the adapter refuses to start without what that needs,
instead of starting with chat 0 or a throw-away pseudonym key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.settings import LOCAL_ADVISORS_CHAT, Settings
from configuration import ConfigurationError, Environment
from tests.conftest import BIELEFELD, PROJECT_ROOT

PRODUCTION = {"TELEGRAM_BOT_TOKEN": "123:real", "RASA_TOKEN": "secret", "LOTSE_ADVISORS_CHAT_ID": "-1001234567890",
              "LOTSE_PSEUDONYM_KEY": "k" * 64}


def settings(**variables: str) -> Settings:
    return Settings.from_environment(Environment(variables), BIELEFELD)


@pytest.mark.parametrize("variables, says", [
    ({**PRODUCTION, "LOTSE_ADVISORS_CHAT_ID": "abc"}, "LOTSE_ADVISORS_CHAT_ID='abc': must be a whole number"),
    ({**PRODUCTION, "LOTSE_ADVISORS_CHAT_ID": ""}, "LOTSE_ADVISORS_CHAT_ID is not set: with TELEGRAM_BOT_TOKEN"),
    ({**PRODUCTION, "LOTSE_ADVISORS_CHAT_ID": "1234"}, "LOTSE_ADVISORS_CHAT_ID=1234: must be a group's id"),
    ({**PRODUCTION, "LOTSE_PSEUDONYM_KEY": ""}, "LOTSE_PSEUDONYM_KEY is not set: with TELEGRAM_BOT_TOKEN"),
    ({**PRODUCTION, "LOTSE_WEBHOOK_URL": "https://lotse.example.org/telegram"}, "LOTSE_WEBHOOK_SECRET is not set"),
    ({**PRODUCTION, "LOTSE_WEBHOOK_URL": "lotse.example.org"},
     "LOTSE_WEBHOOK_URL='lotse.example.org': must be an http(s)"),
    ({**PRODUCTION, "LOTSE_HTTP_PORT": "84430"}, "LOTSE_HTTP_PORT=84430: must be a port number"),
    ({**PRODUCTION, "LOTSE_ADVISOR_LANGUAGE": "fr"}, "LOTSE_ADVISOR_LANGUAGE='fr': must be one of de, ar, prs, uk, en"),
    ({**PRODUCTION, "LOTSE_OFFICE_HOURS": "weekdays 9-5"}, "LOTSE_OFFICE_HOURS='weekdays 9-5'"),
    ({**PRODUCTION, "LOTSE_RETRY_SECONDS": "soon"}, "LOTSE_RETRY_SECONDS='soon': must be a number"),
    ({**PRODUCTION, "LOTSE_ADVISOR_IDS": "12, anna"}, "LOTSE_ADVISOR_IDS='12, anna': must be whole numbers"),
    ({**PRODUCTION, "LOTSE_RETENTION_DAYS": "0"}, "LOTSE_RETENTION_DAYS=0: must be at least 1"),
    ({**PRODUCTION, "LOTSE_LOG_LEVEL": "LOUD"}, "LOTSE_LOG_LEVEL='LOUD': must be one of DEBUG"),
    ({"RASA_TOKEN": ""}, "RASA_TOKEN is not set"),
])
def test_a_wrong_or_missing_variable_is_named_with_what_it_must_be(variables, says):
    with pytest.raises(ConfigurationError) as refused:
        settings(**variables)
    assert says in str(refused.value)


def test_production_settings_are_read_as_given_and_the_try_out_needs_nothing_but_rasas_token():
    production = settings(**PRODUCTION, LOTSE_ADVISOR_IDS="11, 12", LOTSE_RETRY_SECONDS="5")
    assert production.advisors_chat == -1001234567890 and production.advisor_ids == {11, 12}
    assert production.bot_api is None and production.retry_every.total_seconds() == 5
    try_out = settings(RASA_TOKEN="secret")
    assert try_out.local and try_out.advisors_chat == LOCAL_ADVISORS_CHAT and try_out.pseudonym_key is None
    assert try_out.shared.retention_days == 90 and try_out.shared.log_level == "INFO"


@pytest.mark.parametrize("service, variables, says", [
    ("bot", {**PRODUCTION, "LOTSE_ADVISORS_CHAT_ID": "abc"},
     "The adapter cannot start: LOTSE_ADVISORS_CHAT_ID='abc': must be a whole number"),
    ("bot", {**PRODUCTION, "LOTSE_ADVISORS_CHAT_ID": ""},
     "The adapter cannot start: LOTSE_ADVISORS_CHAT_ID is not set"),
    ("bot", {"RASA_TOKEN": "secret", "LOTSE_CITY": "atlantis"}, "LOTSE_CITY=atlantis: there is no city file"),
    ("actions", {"ACTION_SERVER_TOKEN": "secret", "LOTSE_RETENTION_DAYS": "ninety"},
     "The action server cannot start: LOTSE_RETENTION_DAYS='ninety': must be a whole number"),
    ("actions", {}, "The action server cannot start: ACTION_SERVER_TOKEN is not set"),
])
def test_a_service_with_a_wrong_variable_stops_at_once_and_says_which(service, variables, says):
    kept = {name: value for name, value in os.environ.items() if not name.startswith(("LOTSE_", "TELEGRAM_", "RASA_",
                                                                                       "ACTION_"))}
    refused = subprocess.run([sys.executable, "-m", service], capture_output=True, text=True, timeout=120,
                             cwd=PROJECT_ROOT, env={**kept, **variables})
    assert refused.returncode != 0
    assert says in refused.stderr, refused.stderr[-1000:]
