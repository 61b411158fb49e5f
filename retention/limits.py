"""How long Lotse keeps what points to a newcomer: what the retention job deletes after, and
what the privacy notice tells newcomers. Dependency-free, so that the texts can say it too."""

from __future__ import annotations

import os
from datetime import timedelta

DEFAULT_KEEP_DAYS = 90
# Telegram re-delivers an unconfirmed update for at most 24 hours; a processed update is kept
# that long (with a day to spare) so that a repeat is recognised, and is only personal data after.
INBOX_KEEP = timedelta(days=2)


def days_to_keep(value: str, source: str) -> int:
    """The limit from the command line or the environment; a typo must not delete everything."""
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise SystemExit(f"{source} must be a whole number of days, at least 1, not {value!r}")
    return days


def configured_days() -> int:
    """LOTSE_RETENTION_DAYS, else 90."""
    return days_to_keep(os.environ.get("LOTSE_RETENTION_DAYS", str(DEFAULT_KEEP_DAYS)), "LOTSE_RETENTION_DAYS")
