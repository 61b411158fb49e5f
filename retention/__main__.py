"""`python -m retention run|serve [--days N]`: the retention job on the store of DATABASE_URL
(default SQLite under var/), once or every night at 03:30 in the city's time (LOTSE_CITY). The limit comes from
--days, else LOTSE_RETENTION_DAYS, else 90 days."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from datetime import time as time_of_day
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from cities import configured_city
from configuration import DEFAULT_RETENTION_DAYS, ConfigurationError, Environment, SharedSettings
from db import open_current
from retention.job import apply_retention

NIGHTLY_AT = time_of_day(3, 30)  # the city's time; exists once on every day, summer time or not
CHECK_EVERY_SECONDS = 300.0
RETRY_AFTER_FAILURE_SECONDS = 300.0
logger = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m retention",
                                     description="Delete personal data past the limit; keep weekly counts.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("run", "apply the limit once and say what was folded and deleted"),
                            ("serve", "apply it now and then every night at 03:30 in the city's time")):
        commands.add_parser(name, help=help_text, description=help_text).add_argument(
            "--days", type=whole_days,
            help=f"keep this many days (default: LOTSE_RETENTION_DAYS, else {DEFAULT_RETENTION_DAYS})")
    return parser


def whole_days(text: str) -> int:
    """--days: a typo must not delete everything."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, at least 1, not {text!r}")
    return int(text)


def next_run(after: datetime, time_zone: ZoneInfo) -> datetime:
    """The next 03:30 in `time_zone` after `after`, in UTC."""
    local = after.astimezone(time_zone)
    today = datetime.combine(local.date(), NIGHTLY_AT, tzinfo=time_zone)
    run = today if today > local else datetime.combine(local.date() + timedelta(days=1), NIGHTLY_AT, tzinfo=time_zone)
    return run.astimezone(timezone.utc)


def serve(engine: Engine, days: int, time_zone: ZoneInfo, clock: Callable[[], datetime],
          sleep: Callable[[float], None] = time.sleep) -> None:
    """Runs at once (a service restarted after a failure catches up), then every night; a failed
    run is logged and tried again after a pause. Waits in steps of at most CHECK_EVERY_SECONDS,
    so a changed clock or a suspended machine is noticed."""
    while True:
        try:
            _run_once(engine, days, time_zone, clock())
        except Exception:  # the database away one night: tried again soon, not never
            logger.exception("retention failed; trying again in %s s", RETRY_AFTER_FAILURE_SECONDS)
            sleep(RETRY_AFTER_FAILURE_SECONDS)
            continue
        wake = next_run(clock(), time_zone)
        while (left := (wake - clock()).total_seconds()) > 0:
            sleep(min(left, CHECK_EVERY_SECONDS))


def _run_once(engine: Engine, days: int, time_zone: ZoneInfo, now: datetime) -> None:
    print(f"{now.astimezone(time_zone):%Y-%m-%d %H:%M %Z}, keeping {days} days: "
          f"{apply_retention(engine, now, time_zone, days).summary()}", flush=True)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = SharedSettings.from_environment(Environment())
        time_zone = configured_city(settings.city).time_zone
    except ConfigurationError as problem:
        raise SystemExit(f"The retention job cannot start: {problem}") from None
    days = settings.retention_days if args.days is None else args.days
    engine = open_current(settings.database_url)
    if args.command == "run":
        _run_once(engine, days, time_zone, _now())
    else:
        serve(engine, days, time_zone, _now)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
