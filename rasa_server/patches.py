"""Lotse's changes to Rasa 3.6 itself, installed by `install_patches` before the server starts
(rasa_server/serve.py, and devtools' in-process agent).

1. Rasa checks every action server response with `jsonschema.validate(result, schema)`, which
   first re-validates its own large, constant events schema against the JSON-Schema
   metaschema. Measured here, that took 70 % of the server's CPU and capped Lotse at about 13
   turns a second with 20 conversations at once. The patch validates the same responses
   against the same schema, with a validator built once; invalid responses fail as before.
2. Rasa's structured log carries every message text at DEBUG. Its chain of log processors is
   built around `rasa.utils.log_utils._anonymizer`, which only Rasa Pro's anonymisation
   pipeline fills; taking its place (before Rasa configures its log) redacts texts at every
   level. Rasa's own hook for such a pipeline is not used: it would also read every
   conversation once more per message to anonymise its events."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import rasa.utils.log_utils
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _action_result_validator():
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _action_result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (". Failed to validate Action server response from API, make sure your response from the "
                          "Action endpoint is valid. For more information about the format visit "
                          f"{DOCS_BASE_URL}/custom-actions")
        raise error


REDACTED = "‹redacted›"
# What Rasa's structured log may show as it is: names of steps, not what a newcomer wrote.
SHOWN_AS_IS = frozenset({"event", "event_info", "event_key", "level", "log_level", "timestamp", "logger", "exc_info",
                         "sender_id", "action_name", "policy_name", "intent_name", "confidence", "model",
                         "num_events", "rasa_version"})


def redact_message_texts(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor for Rasa's log: every value but the names above is redacted."""
    return {key: value if key in SHOWN_AS_IS else REDACTED for key, value in event.items()}


def install_patches() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    rasa.utils.log_utils._anonymizer = redact_message_texts
