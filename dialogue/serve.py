"""`python -m dialogue.serve [options of rasa run]`: Rasa's server, its HTTP API always behind
a token. The token comes from RASA_TOKEN (the server refuses to start without one, so no image
or command can start an open API) and is handed to Rasa inside this process, so that it is on
no command line that `ps` shows. The adapter's channel takes the same secret
(credentials.yml).

Rasa's own structured log carries every message text at DEBUG: it is redacted here, so a
newcomer's words stay out of the log at any level."""

from __future__ import annotations

import os
import sys

from typing import Any

REDACTED = "‹redacted›"
# What Rasa's structured log may show as it is: names of steps, not what a newcomer wrote.
SHOWN_AS_IS = frozenset({"event", "event_info", "event_key", "level", "log_level", "timestamp", "logger", "exc_info",
                         "sender_id", "action_name", "policy_name", "intent_name", "confidence", "model",
                         "num_events", "rasa_version"})


def redact_message_texts(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor for Rasa's log: every value but the names above is redacted."""
    return {key: value if key in SHOWN_AS_IS else REDACTED for key, value in event.items()}


def keep_message_texts_out_of_rasas_log() -> None:
    """Rasa builds its structlog chain around `rasa.utils.log_utils._anonymizer`, which only
    Rasa Pro's anonymisation pipeline fills; taking its place (before Rasa configures its
    log) redacts texts at every level. Rasa's own hook for a pipeline is not used: it would
    also read every conversation once more per message to anonymise its events."""
    import rasa.utils.log_utils

    rasa.utils.log_utils._anonymizer = redact_message_texts


def rasa_arguments(options: list[str], token: str | None) -> list[str]:
    """The arguments of `rasa run` with the API enabled behind `token`."""
    if not token:
        raise SystemExit("RASA_TOKEN is not set: Rasa's HTTP API and the adapter's channel need it "
                         "(generate one: python3 -c \"import secrets; print(secrets.token_urlsafe(32))\")")
    return ["rasa", "run", *options, "--enable-api", f"--auth-token={token}"]  # one word: a token may start with "-"


def main() -> None:
    sys.argv = rasa_arguments(sys.argv[1:], os.environ.get("RASA_TOKEN"))
    from rasa.__main__ import main as rasa_main  # after sys.argv: Rasa parses it

    keep_message_texts_out_of_rasas_log()
    rasa_main()


if __name__ == "__main__":
    main()
