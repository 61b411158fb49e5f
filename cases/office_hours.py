"""When advisors are regularly there: weekly hours in the city's time, closed on its public
holidays, or `always` for a 24/7 service. A case is opened at any hour; outside these hours
the newcomer is told when advisors are back, and the advisors get the queue when they open."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from cities import City
from knowledge.entry import OpeningInterval
from knowledge.hours import next_start, open_during, parse_hours

logger = logging.getLogger(__name__)
ALWAYS = "always"


@dataclass(frozen=True)
class OfficeHours:
    hours: tuple[OpeningInterval, ...]  # empty: always open
    city: City

    @classmethod
    def parse(cls, text: str, city: City) -> OfficeHours:
        """`always`, or weekly hours like "mon-thu 08:00-16:00; fri 08:00-12:00" (ValueError if not)."""
        return cls(() if text.strip().lower() == ALWAYS else parse_hours(text), city)

    @property
    def always(self) -> bool:
        return not self.hours

    def is_open(self, at: datetime) -> bool:
        return self.always or open_during(self.hours, at, self.city)

    def next_opening(self, at: datetime) -> datetime | None:
        return None if self.always else next_start(self.hours, at, self.city)


async def remind_at_openings(office: OfficeHours, remind: Callable[[], Awaitable[None]],
                             now: Callable[[], datetime], sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                             check_every: float = 60.0, cycle_done: Callable[[], None] = lambda: None) -> None:
    """Calls `remind` each time the office opens, until cancelled. Waits in steps of at most
    `check_every` seconds, so a changed clock (summer time, a suspended machine) is noticed;
    `cycle_done` after each step. A failed reminder is logged and the next opening awaited:
    one bad morning must not end the reminders for good."""
    if office.always:
        return
    while True:
        opening = office.next_opening(now())
        if opening is None:
            return
        while (left := (opening - now()).total_seconds()) > 0:
            await sleep(min(left, check_every))
            cycle_done()
        try:
            await remind()
        except Exception:  # whatever failed, the next opening gets its reminder
            logger.exception("the reminder at the office's opening failed")
