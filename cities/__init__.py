"""The city Lotse serves, as data: its name, time zone, public holidays, districts with their
neighbourhoods and centres, and the emergency numbers. One file per city (cities/<name>.yml,
chosen by LOTSE_CITY, default bielefeld), loaded into one `City` that each service passes to
whatever needs it. Depends only on the list of languages (texts) and on configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml

from configuration import ConfigurationError
from texts import LANGUAGES

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
DEFAULT_CITY = "bielefeld"
EMERGENCY_NUMBERS = ("ambulance", "police", "crisis_line", "crisis_line_2", "violence_line")


class InvalidCity(ConfigurationError):
    """A city file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class District:
    name: str
    centre: tuple[float, float]  # latitude, longitude
    neighbourhoods: tuple[str, ...]


@dataclass(frozen=True)
class City:
    name: str
    names: Mapping[str, str]  # per language, as the phrases use it
    time_zone: ZoneInfo
    holiday_country: str
    holiday_subdivision: str | None
    entries: Path
    outside_km: float
    districts: tuple[District, ...]
    emergency: Mapping[str, str]

    @property
    def district_names(self) -> tuple[str, ...]:
        return tuple(district.name for district in self.districts)

    def is_public_holiday(self, day: date) -> bool:
        return day in _holidays(self.holiday_country, self.holiday_subdivision, day.year)

    def now(self) -> datetime:
        return datetime.now(self.time_zone)

    def local(self, at: datetime) -> datetime:
        """`at` as the city's wall-clock time; a naive `at` is taken as such already."""
        return at.replace(tzinfo=self.time_zone) if at.tzinfo is None else at.astimezone(self.time_zone)

    def phrase_values(self) -> dict[str, str | Mapping[str, str]]:
        """The values the phrase tables' {city} (per language) and emergency placeholders take."""
        return {"city": self.names, **self.emergency}


@lru_cache(maxsize=16)
def _holidays(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision, years=year)


def load_city(path: Path) -> City:
    """The city described by `path`; InvalidCity names the file and what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as problem:
        raise InvalidCity(f"{path}: cannot be read: {problem}") from None
    if not isinstance(data, dict):
        raise InvalidCity(f"{path}: not a city description (a mapping of name, time_zone, districts …)")

    def field(name: str, kind: type | tuple[type, ...]) -> Any:
        value = data.get(name)
        if not isinstance(value, kind) or value == "":
            kinds = kind if isinstance(kind, tuple) else (kind,)
            raise InvalidCity(f"{path}: '{name}' must be given as {' or '.join(k.__name__ for k in kinds)}")
        return value

    try:
        zone = ZoneInfo(field("time_zone", str))
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidCity(f"{path}: 'time_zone' {data['time_zone']!r} is not an IANA time zone") from None
    region = field("holidays", dict)
    try:
        _holidays(str(region.get("country")), region.get("subdivision"), 2026)
    except (NotImplementedError, KeyError) as problem:
        raise InvalidCity(f"{path}: 'holidays' {region} is not a region the holidays package knows: "
                          f"{problem}") from None
    districts = []
    for number, district in enumerate(field("districts", list), start=1):
        try:
            latitude, longitude = (float(value) for value in district["centre"])
            districts.append(District(str(district["name"]), (latitude, longitude),
                                      tuple(map(str, district.get("neighbourhoods") or ()))))
        except (TypeError, KeyError, ValueError):
            raise InvalidCity(f"{path}: district {number} needs a name and a centre [latitude, longitude]") from None
    names = field("names", dict)
    missing_names = [language for language in LANGUAGES if not str(names.get(language) or "").strip()]
    if missing_names:
        raise InvalidCity(f"{path}: 'names' lacks the city's name in {', '.join(missing_names)}")
    emergency = field("emergency", dict)
    missing = [name for name in EMERGENCY_NUMBERS if not str(emergency.get(name) or "").strip()]
    if missing:
        raise InvalidCity(f"{path}: 'emergency' lacks {', '.join(missing)}")
    return City(name=field("name", str), names={language: str(names[language]) for language in LANGUAGES},
                time_zone=zone, holiday_country=str(region["country"]),
                holiday_subdivision=region.get("subdivision"), entries=PROJECT_ROOT / field("entries", str),
                outside_km=float(field("outside_km", (int, float))), districts=tuple(districts),
                emergency={name: str(emergency[name]) for name in EMERGENCY_NUMBERS})


def city_file(chosen: str | None) -> Path:
    """LOTSE_CITY's value: a city's name (a file in cities/) or the path of a city file."""
    chosen = chosen or DEFAULT_CITY
    return Path(chosen) if chosen.endswith((".yml", ".yaml")) else HERE / f"{chosen}.yml"


def configured_city(chosen: str | None) -> City:
    """The city LOTSE_CITY chose (None: the default); InvalidCity names LOTSE_CITY when it
    cannot be used."""
    path = city_file(chosen)
    if not path.is_file():
        raise InvalidCity(f"LOTSE_CITY={chosen or DEFAULT_CITY}: there is no city file {path}")
    try:
        return load_city(path)
    except InvalidCity as problem:
        raise InvalidCity(f"LOTSE_CITY: {problem}") from None


def city_named(name: str) -> City:
    """One of the cities in this folder, by its file's name ("bielefeld")."""
    return load_city(HERE / f"{name}.yml")
