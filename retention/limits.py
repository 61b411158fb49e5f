"""How long Lotse keeps Telegram's raw updates, whatever the retention limit (the limit itself
is LOTSE_RETENTION_DAYS, read with the other shared settings in configuration/). The privacy
notice says these numbers too."""

from __future__ import annotations

from datetime import timedelta

# Telegram re-delivers an unconfirmed update for at most 24 hours; a processed update is kept
# that long (with a day to spare) so that a repeat is recognised, and is only personal data after.
INBOX_KEEP = timedelta(days=2)
