"""Is a service open at a given moment, and when does it open next? Opening hours are the
city's local time (its time zone, so summer time is handled), offices are closed on the
city's public holidays, and an opening that runs past midnight belongs to the day it starts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

from cities import City
from knowledge.entry import WEEKDAYS, OpeningInterval, ServiceEntry

LOOKAHEAD_DAYS = 14


def openings_on(entry: ServiceEntry, day: date, city: City) -> Iterator[tuple[datetime, datetime]]:
    """The openings that start on `day` (none on a public holiday), as local start and end."""
    return _starting_on(entry.opening_hours, day, city)


def _starting_on(hours: Sequence[OpeningInterval], day: date, city: City) -> Iterator[tuple[datetime, datetime]]:
    if city.is_public_holiday(day):
        return
    weekday = WEEKDAYS[day.weekday()]
    for interval in hours:
        if interval.weekday == weekday:
            yield _span(interval, day, city)


def _span(interval: OpeningInterval, day: date, city: City) -> tuple[datetime, datetime]:
    end_day = day + timedelta(days=1) if interval.crosses_midnight else day
    return (datetime.combine(day, interval.opens, city.time_zone),
            datetime.combine(end_day, interval.closes, city.time_zone))


def is_open(entry: ServiceEntry, at: datetime, city: City) -> bool | None:
    """True or False from the entry's hours; None when the entry has no hours at all
    (unknown is not the same as closed)."""
    return open_during(entry.opening_hours, at, city) if entry.opening_hours else None


def next_opening(entry: ServiceEntry, at: datetime, city: City) -> datetime | None:
    """The next moment after `at` the service opens, within two weeks (None if never)."""
    return next_start(entry.opening_hours, at, city)


def open_during(hours: Sequence[OpeningInterval], at: datetime, city: City) -> bool:
    """Whether `at` falls into one of the weekly `hours` (public holidays closed)."""
    local = city.local(at)
    return any(start <= local < end for day in (local.date() - timedelta(days=1), local.date())
               for start, end in _starting_on(hours, day, city))


def next_start(hours: Sequence[OpeningInterval], at: datetime, city: City) -> datetime | None:
    """The next opening of the weekly `hours` after `at`, within two weeks."""
    local = city.local(at)
    starts = (start for offset in range(LOOKAHEAD_DAYS + 1)
              for start, _ in _starting_on(hours, local.date() + timedelta(days=offset), city) if start > local)
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
        if not match or not days:
            raise ValueError(f"{part!r} must look like \"mon-fri 08:00-12:00\"")
        opens, closes = (time.fromisoformat(match[key].zfill(5)) for key in ("opens", "closes"))
        intervals += [OpeningInterval(day, opens, closes) for day in days]
    return tuple(intervals)
