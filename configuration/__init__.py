"""Reading configuration from the environment, typed, with errors that name the variable and
say what is wrong (as starlette's `Config` does). Each service reads all of its settings in one
place (bot/settings.py, actions/settings.py, retention/settings.py) through `Environment`; the
settings they share (database, city, retention limit, log level) are `SharedSettings`. Depends
on nothing else of Lotse's."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_RETENTION_DAYS = 90


class ConfigurationError(ValueError):
    """A variable missing or unusable; the message names it and says what it must be."""


class Environment:
    """Typed reads of environment variables. An empty value counts as not set."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = os.environ if values is None else values

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self._values.get(name, "").strip()
        return value or default

    def required(self, name: str, what: str) -> str:
        """`what` says what the variable is for, in the error when it is missing."""
        value = self.text(name)
        if value is None:
            raise ConfigurationError(f"{name} is not set: {what}")
        return value

    def _cast(self, name: str, default: T, cast: Callable[[str], T], must_be: str) -> T:
        value = self.text(name)
        if value is None:
            return default
        try:
            return cast(value)
        except ValueError:
            raise ConfigurationError(f"{name}={value!r}: must be {must_be}") from None

    def integer(self, name: str, default: int, minimum: int | None = None) -> int:
        number = self._cast(name, default, int, "a whole number")
        if minimum is not None and number < minimum:
            raise ConfigurationError(f"{name}={number}: must be at least {minimum}")
        return number

    def optional_integer(self, name: str) -> int | None:
        return self._cast(name, None, int, "a whole number")

    def number(self, name: str, default: float, minimum: float = 0.0) -> float:
        number = self._cast(name, default, float, "a number")
        if number < minimum:
            raise ConfigurationError(f"{name}={number:g}: must be at least {minimum:g}")
        return number

    def port(self, name: str, default: int | None) -> int | None:
        port = self._cast(name, default, int, "a port number")
        if port is not None and not 0 < port < 65536:
            raise ConfigurationError(f"{name}={port}: must be a port number from 1 to 65535")
        return port

    def integers(self, name: str, default: str = "") -> frozenset[int]:
        """Whole numbers separated by commas or spaces ("123, 456")."""
        return self._cast(name, frozenset(int(i) for i in default.replace(",", " ").split()),
                          lambda text: frozenset(int(i) for i in text.replace(",", " ").split()),
                          "whole numbers separated by commas")

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(name, default) or default
        if value not in choices:
            raise ConfigurationError(f"{name}={value!r}: must be one of {', '.join(choices)}")
        return value

    def url(self, name: str, default: str | None = None) -> str | None:
        value = self.text(name, default)
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigurationError(f"{name}={value!r}: must be an http(s) address like https://host:port")
        return value


@dataclass(frozen=True)
class SharedSettings:
    """What every service reads the same way."""

    database_url: str | None  # None: the embedded SQLite under var/ (db.database_url)
    city: str | None  # LOTSE_CITY: a city's name or the path of its file (cities.city_file)
    retention_days: int  # what the retention job keeps and the privacy notice says
    log_level: str

    @classmethod
    def from_environment(cls, environment: Environment) -> SharedSettings:
        return cls(database_url=environment.text("DATABASE_URL"), city=environment.text("LOTSE_CITY"),
                   retention_days=environment.integer("LOTSE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, minimum=1),
                   log_level=environment.choice("LOTSE_LOG_LEVEL", "INFO", LOG_LEVELS))
