"""Is a service open at a given moment, and when does it open next? Opening hours are
local Bielefeld time (Europe/Berlin, so summer time is handled), offices are closed on NRW
public holidays, and an opening that runs past midnight belongs to the day it starts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Iterator
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
    if is_public_holiday(day):
        return
    weekday = WEEKDAYS[day.weekday()]
    for interval in entry.opening_hours:
        if interval.weekday == weekday:
            yield _span(interval, day)


def _span(interval: OpeningInterval, day: date) -> tuple[datetime, datetime]:
    end_day = day + timedelta(days=1) if interval.crosses_midnight else day
    return (datetime.combine(day, interval.opens, BERLIN), datetime.combine(end_day, interval.closes, BERLIN))


def is_open(entry: ServiceEntry, at: datetime) -> bool | None:
    """True or False from the entry's hours; None when the entry has no hours at all
    (unknown is not the same as closed)."""
    if not entry.opening_hours:
        return None
    local = _local(at)
    for day in (local.date() - timedelta(days=1), local.date()):
        if any(start <= local < end for start, end in openings_on(entry, day)):
            return True
    return False


def next_opening(entry: ServiceEntry, at: datetime) -> datetime | None:
    """The next moment after `at` the service opens, within two weeks (None if never)."""
    local = _local(at)
    starts = (
        start
        for offset in range(LOOKAHEAD_DAYS + 1)
        for start, _ in openings_on(entry, local.date() + timedelta(days=offset))
        if start > local
    )
    return min(starts, default=None)
