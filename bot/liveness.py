"""Whether the adapter's background loops still work. Each loop reports a completed cycle;
`/health` fails when one has died or has not completed a cycle for longer than it may, so
that a supervisor restarts an adapter that went deaf instead of trusting a green light. A
loop that ends by an error it could not survive also stops the process with a non-zero exit."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)
LONGEST_PAUSE_SECONDS = 30.0


class Liveness:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._allowed: dict[str, float] = {}  # loop -> seconds it may go without a completed cycle
        self._last_cycle: dict[str, float] = {}
        self.dead: list[str] = []

    def expect(self, loop: str, cycle_within: float) -> None:
        self._allowed[loop] = cycle_within
        self._last_cycle[loop] = self._clock()

    def cycle_done(self, loop: str) -> None:
        self._last_cycle[loop] = self._clock()

    def problems(self) -> list[str]:
        """What is wrong, one line each; empty when every loop is alive and recent."""
        now = self._clock()
        silent = [f"{loop}: no completed cycle for {now - self._last_cycle[loop]:.0f} s"
                  for loop, allowed in self._allowed.items()
                  if loop not in self.dead and now - self._last_cycle[loop] > allowed]
        return [f"{loop}: stopped" for loop in self.dead] + silent

    def watch(self, task: asyncio.Task, loop: str, stop: asyncio.Event) -> None:
        """A loop must end only by being cancelled; anything else stops the adapter."""

        def ended(finished: asyncio.Task) -> None:
            if finished.cancelled():
                return
            self.dead.append(loop)
            logger.critical("background loop %s ended; stopping the adapter", loop, exc_info=finished.exception())
            stop.set()

        task.add_done_callback(ended)


def pause_after(failures: int) -> float:
    """Seconds to wait after this many failed cycles in a row: 1, 2, 4 … at most 30."""
    return min(2.0 ** (failures - 1), LONGEST_PAUSE_SECONDS)


async def every_cycle(loop: str, cycle: Callable[[], Awaitable[None]], liveness: Liveness, pause: float = 0.0,
                      after_failure: Callable[[int], float] = pause_after) -> None:
    """Runs `cycle` until cancelled, `pause` seconds apart, reporting each completed one. A
    failed cycle is logged and the next waits `after_failure(failures in a row)` instead:
    whatever failed (Telegram, the database), the loop goes on."""
    failures = 0
    while True:
        try:
            await cycle()
        except Exception:  # whatever failed, the loop must go on
            failures += 1
            logger.exception("%s failed (%s in a row); trying again", loop, failures)
            await asyncio.sleep(after_failure(failures))
            continue
        failures = 0
        liveness.cycle_done(loop)
        await asyncio.sleep(pause)
