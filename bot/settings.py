"""The adapter's configuration, from the environment only (secrets are never in files)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from telegram.constants import FloodLimit

from cases.office_hours import OfficeHours
from cities import City

LOCAL_BOT_API = "http://127.0.0.1:8081"
LOCAL_ADVISORS_CHAT = -1001000000001
LOCAL_ADVISOR = 1000001
LOCAL_TOKEN = "1000000:local-try-out"
DEFAULT_OFFICE_HOURS = "mon-fri 09:00-16:00"
DEFAULT_WEBHOOK_PORT = 8443


@dataclass(frozen=True)
class Settings:
    token: str
    bot_api: str | None  # base address of a Bot API other than Telegram's (the local fake one)
    rasa_url: str
    rasa_token: str  # Rasa's HTTP API token and the secret of its channel for the adapter
    advisors_chat: int  # the advisors' forum supergroup
    advisor_ids: frozenset[int]  # registered advisors besides those `/register`ed in the group
    webhook_url: str | None
    webhook_secret: str | None
    http_port: int | None  # GET /health, and POST /telegram in webhook mode
    http_host: str  # the address it listens on: loopback unless a container publishes the port
    advisor_language: str  # the language of the bot's posts in the advisors' group
    give_up_after: timedelta  # Rasa unreachable this long: the newcomer's message goes to an advisor
    retry_every: timedelta  # how often unfinished updates are tried again
    office_hours: OfficeHours  # when advisors are regularly there (LOTSE_OFFICE_HOURS, or "always")
    messages_per_second: float  # the bot's whole sending rate (Telegram: 30, more with paid broadcasts; 0: no limit)
    group_messages_per_minute: float  # in the advisors' group (Telegram: 20; 0: no limit)

    @property
    def local(self) -> bool:
        return self.bot_api is not None

    @classmethod
    def from_environment(cls, city: City) -> "Settings":
        """Without TELEGRAM_BOT_TOKEN: the local try-out against the fake Bot API (see README)."""
        token = os.environ.get("TELEGRAM_BOT_TOKEN")
        bot_api = os.environ.get("LOTSE_BOT_API") or (None if token else LOCAL_BOT_API)
        advisors = os.environ.get("LOTSE_ADVISOR_IDS", "" if token else str(LOCAL_ADVISOR))
        return cls(
            token=token or LOCAL_TOKEN,
            bot_api=bot_api,
            rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005"),
            rasa_token=_required("RASA_TOKEN", "the secret of Rasa's API and of its channel for the adapter"),
            advisors_chat=int(os.environ.get("LOTSE_ADVISORS_CHAT_ID", LOCAL_ADVISORS_CHAT if not token else 0)),
            advisor_ids=frozenset(int(i) for i in advisors.replace(",", " ").split()),
            webhook_url=os.environ.get("LOTSE_WEBHOOK_URL") or None,
            webhook_secret=os.environ.get("LOTSE_WEBHOOK_SECRET") or None,
            http_port=_http_port(os.environ.get("LOTSE_HTTP_PORT"), bool(os.environ.get("LOTSE_WEBHOOK_URL"))),
            http_host=os.environ.get("LOTSE_HTTP_HOST", "127.0.0.1"),
            advisor_language=os.environ.get("LOTSE_ADVISOR_LANGUAGE", "de"),
            give_up_after=timedelta(seconds=float(os.environ.get("LOTSE_GIVE_UP_SECONDS", 600))),
            retry_every=timedelta(seconds=float(os.environ.get("LOTSE_RETRY_SECONDS", 20))),
            office_hours=_office_hours(os.environ.get("LOTSE_OFFICE_HOURS", DEFAULT_OFFICE_HOURS), city),
            messages_per_second=float(os.environ.get("LOTSE_MAX_MESSAGES_PER_SECOND", FloodLimit.MESSAGES_PER_SECOND)),
            group_messages_per_minute=float(os.environ.get("LOTSE_GROUP_MESSAGES_PER_MINUTE",
                                                           FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP)),
        )


def _required(name: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set: {what}")
    return value


def _http_port(configured: str | None, webhook: bool) -> int | None:
    """A webhook needs the port (default 8443); polling serves its health check only when asked."""
    if configured:
        return int(configured)
    return DEFAULT_WEBHOOK_PORT if webhook else None


def _office_hours(text: str, city: City) -> OfficeHours:
    try:
        return OfficeHours.parse(text, city)
    except ValueError as problem:
        raise SystemExit(f"LOTSE_OFFICE_HOURS: {problem}, or be \"always\"") from problem
