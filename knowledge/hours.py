"""Is a service open at a given moment, and when does it open next? Opening hours are
local Bielefeld time (Europe/Berlin, so summer time is handled), offices are closed on NRW
public holidays, and an opening that runs past midnight belongs to the day it starts."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterator, Sequence
from zoneinfo import ZoneInfo

import holidays

from knowledge.entry import WEEKDAYS, OpeningInterval, ServiceEntry

BERLIN = ZoneInfo("Europe/Berlin")
LOOKAHEAD_DAYS = 14


@lru_cache(maxsize=8)
def _nrw_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DE", subdiv="NW", years=year)


def is_public_holiday(day: date) -> bool:
    return day in _nrw_holidays(day.year)


def _local(at: datetime) -> datetime:
    """Naive datetimes are taken as Bielefeld wall-clock time."""
    return at.replace(tzinfo=BERLIN) if at.tzinfo is None else at.astimezone(BERLIN)


def openings_on(entry: ServiceEntry, day: date) -> Iterator[tuple[datetime, datetime]]:
    """The openings that start on `day` (none on a public holiday), as local start and end."""
    return _starting_on(entry.opening_hours, day)


def _starting_on(hours: Sequence[OpeningInterval], day: date) -> Iterator[tuple[datetime, datetime]]:
    if is_public_holiday(day):
        return
    weekday = WEEKDAYS[day.weekday()]
    for interval in hours:
        if interval.weekday == weekday:
            yield _span(interval, day)


def _span(interval: OpeningInterval, day: date) -> tuple[datetime, datetime]:
    end_day = day + timedelta(days=1) if interval.crosses_midnight else day
    return (datetime.combine(day, interval.opens, BERLIN), datetime.combine(end_day, interval.closes, BERLIN))


def is_open(entry: ServiceEntry, at: datetime) -> bool | None:
    """True or False from the entry's hours; None when the entry has no hours at all
    (unknown is not the same as closed)."""
    return open_during(entry.opening_hours, at) if entry.opening_hours else None


def next_opening(entry: ServiceEntry, at: datetime) -> datetime | None:
    """The next moment after `at` the service opens, within two weeks (None if never)."""
    return next_start(entry.opening_hours, at)


def open_during(hours: Sequence[OpeningInterval], at: datetime) -> bool:
    """Whether `at` falls into one of the weekly `hours` (public holidays closed)."""
    local = _local(at)
    return any(start <= local < end for day in (local.date() - timedelta(days=1), local.date())
               for start, end in _starting_on(hours, day))


def next_start(hours: Sequence[OpeningInterval], at: datetime) -> datetime | None:
    """The next opening of the weekly `hours` after `at`, within two weeks."""
    local = _local(at)
    starts = (start for offset in range(LOOKAHEAD_DAYS + 1)
              for start, _ in _starting_on(hours, local.date() + timedelta(days=offset)) if start > local)
    return min(starts, default=None)


HOURS_LINE = re.compile(r"^\s*(?P<days>[a-z ,\-]+?)\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})\s*$")


def parse_days(text: str) -> list[str] | None:
    """"mon-fri", "mon,wed", "sat" as weekday codes; None when it is not such a list."""
    days: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            return None
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days += WEEKDAYS[start:end + 1] if start <= end else []
    return days or None


def parse_hours(text: str) -> tuple[OpeningInterval, ...]:
    """Weekly hours written as people write them: "mon-thu 08:00-16:00; fri 08:00-12:00"
    (lines or semicolons). Raises ValueError saying which part is wrong."""
    intervals = []
    for part in filter(None, (p.strip() for p in re.split(r"[;\n]", text.lower()))):
        match = HOURS_LINE.match(part)
        days = parse_days(match["days"]) if match else None
        if not days:
            raise ValueError(f"{part!r} must look like \"mon-fri 08:00-12:00\"")
        opens, closes = (time.fromisoformat(match[key].zfill(5)) for key in ("opens", "closes"))
        intervals += [OpeningInterval(day, opens, closes) for day in days]
    return tuple(intervals)
