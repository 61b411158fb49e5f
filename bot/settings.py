"""The adapter's configuration: every variable it reads, read here, typed and checked (secrets
come only from the environment, never from files). With TELEGRAM_BOT_TOKEN it runs for real
and refuses to start without what that needs; without, it is the local try-out against the
fake Bot API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telegram.constants import FloodLimit

from cases.office_hours import OfficeHours
from cities import City
from configuration import ConfigurationError, Environment, SharedSettings
from texts import LANGUAGES

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
    pseudonym_key: str | None  # LOTSE_PSEUDONYM_KEY; None only in the try-out (a key kept under var/)
    shared: SharedSettings

    @property
    def local(self) -> bool:
        return self.bot_api is not None

    @classmethod
    def from_environment(cls, environment: Environment, city: City) -> Settings:
        """Raises ConfigurationError naming the first variable that is missing or unusable."""
        token = environment.text("TELEGRAM_BOT_TOKEN")
        production = token is not None
        advisors_chat = environment.optional_integer("LOTSE_ADVISORS_CHAT_ID")
        if advisors_chat is None:
            if production:
                raise ConfigurationError("LOTSE_ADVISORS_CHAT_ID is not set: with TELEGRAM_BOT_TOKEN the adapter "
                                         "needs the id of the advisors' forum group (it starts with -100)")
            advisors_chat = LOCAL_ADVISORS_CHAT
        if advisors_chat >= 0:
            raise ConfigurationError(f"LOTSE_ADVISORS_CHAT_ID={advisors_chat}: must be a group's id, which is "
                                     "negative (a supergroup's starts with -100)")
        webhook_url, webhook_secret = environment.url("LOTSE_WEBHOOK_URL"), environment.text("LOTSE_WEBHOOK_SECRET")
        if webhook_url and not webhook_secret:
            raise ConfigurationError("LOTSE_WEBHOOK_SECRET is not set: LOTSE_WEBHOOK_URL needs it (Telegram's "
                                     "secret_token, so that only Telegram can post updates)")
        pseudonym_key = environment.text("LOTSE_PSEUDONYM_KEY")
        if production and pseudonym_key is None:
            raise ConfigurationError("LOTSE_PSEUDONYM_KEY is not set: with TELEGRAM_BOT_TOKEN the pseudonyms need a "
                                     "secret key of their own "
                                     "(python3 -c \"import secrets; print(secrets.token_hex(32))\")")
        return cls(
            token=token or LOCAL_TOKEN,
            bot_api=environment.url("LOTSE_BOT_API", None if production else LOCAL_BOT_API),
            rasa_url=environment.url("RASA_URL", "http://127.0.0.1:5005") or "",
            rasa_token=environment.required("RASA_TOKEN",
                                            "the secret of Rasa's API and of its channel for the adapter"),
            advisors_chat=advisors_chat,
            advisor_ids=environment.integers("LOTSE_ADVISOR_IDS", "" if production else str(LOCAL_ADVISOR)),
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            http_port=environment.port("LOTSE_HTTP_PORT", DEFAULT_WEBHOOK_PORT if webhook_url else None),
            http_host=environment.text("LOTSE_HTTP_HOST", "127.0.0.1") or "127.0.0.1",
            advisor_language=environment.choice("LOTSE_ADVISOR_LANGUAGE", "de", LANGUAGES),
            give_up_after=timedelta(seconds=environment.number("LOTSE_GIVE_UP_SECONDS", 600)),
            retry_every=timedelta(seconds=environment.number("LOTSE_RETRY_SECONDS", 20, minimum=0.1)),
            office_hours=_office_hours(environment.text("LOTSE_OFFICE_HOURS", DEFAULT_OFFICE_HOURS) or "", city),
            messages_per_second=environment.number("LOTSE_MAX_MESSAGES_PER_SECOND", FloodLimit.MESSAGES_PER_SECOND),
            group_messages_per_minute=environment.number("LOTSE_GROUP_MESSAGES_PER_MINUTE",
                                                         FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP),
            pseudonym_key=pseudonym_key,
            shared=SharedSettings.from_environment(environment),
        )


def _office_hours(text: str, city: City) -> OfficeHours:
    try:
        return OfficeHours.parse(text, city)
    except ValueError as problem:
        raise ConfigurationError(f"LOTSE_OFFICE_HOURS={text!r}: {problem}, or be \"always\"") from None
