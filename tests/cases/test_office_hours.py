"""Office hours in Bielefeld time with NRW holidays: when advisors are there, when they are
back, and the reminder with the queue when they open (tested with an injected clock)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from cases.office_hours import OfficeHours, remind_at_openings
from tests.conftest import BIELEFELD

HOURS = OfficeHours.parse("mon-thu 08:00-16:00; fri 08:00-12:00", BIELEFELD)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BIELEFELD.time_zone)  # 23 Nov 2026 is a Monday


def test_open_and_closed_by_weekday_and_time():
    assert HOURS.is_open(at(23, 9)) and not HOURS.is_open(at(23, 16, 30))
    assert HOURS.is_open(at(27, 11, 59)) and not HOURS.is_open(at(27, 12))
    assert not HOURS.is_open(at(28, 10))  # Saturday


def test_back_after_the_weekend_and_after_a_public_holiday():
    assert HOURS.next_opening(at(27, 13)) == at(30, 8)  # Friday afternoon -> Monday 08:00
    christmas_eve = datetime(2026, 12, 24, 17, tzinfo=BIELEFELD.time_zone)  # Thursday; 25 and 26 Dec are holidays
    assert HOURS.next_opening(christmas_eve) == datetime(2026, 12, 28, 8, tzinfo=BIELEFELD.time_zone)


def test_always_is_a_24_7_service_and_bad_hours_are_refused_with_the_wrong_part():
    assert OfficeHours.parse("always", BIELEFELD).is_open(at(28, 3))
    assert OfficeHours.parse("Always", BIELEFELD).next_opening(at(28, 3)) is None
    with pytest.raises(ValueError, match="'mo-fr 9-17' must look like"):
        OfficeHours.parse("mon 08:00-10:00; mo-fr 9-17", BIELEFELD)


def test_the_advisors_are_reminded_each_time_the_office_opens():
    clock = {"now": at(27, 11, 30)}  # Friday, open until 12:00
    reminders: list[datetime] = []

    async def sleep(seconds: float) -> None:
        clock["now"] += timedelta(seconds=seconds)

    async def remind() -> None:
        reminders.append(clock["now"])
        if len(reminders) == 2:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(remind_at_openings(HOURS, remind, lambda: clock["now"], sleep))
    assert reminders == [at(30, 8), at(30, 8) + timedelta(days=1)]


def test_a_failed_reminder_does_not_end_the_reminders():
    """The group's post failed one morning (Telegram or the database away): the next opening
    still gets its reminder, and the loop reports its cycles for the health check."""
    clock = {"now": at(27, 11, 30)}
    attempts: list[datetime] = []
    cycles: list[datetime] = []

    async def sleep(seconds: float) -> None:
        clock["now"] += timedelta(seconds=seconds)

    async def remind() -> None:
        attempts.append(clock["now"])
        if len(attempts) == 1:
            raise ConnectionError("the database is away")
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(remind_at_openings(HOURS, remind, lambda: clock["now"], sleep,
                                       cycle_done=lambda: cycles.append(clock["now"])))
    assert attempts == [at(30, 8), at(30, 8) + timedelta(days=1)]
    assert cycles and cycles[-1] == at(30, 8) + timedelta(days=1)
