"""The faster check of action server responses still rejects what Rasa rejects."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import nlu.components  # noqa: F401  (installs the patch, as loading the model does)


def test_valid_action_results_pass_and_malformed_ones_are_still_rejected():
    action = RemoteAction("action_answer_topic", EndpointConfig("http://localhost:5055/webhook"))
    assert action._validate_action_result(
        {"events": [{"event": "slot", "name": "topic", "value": "work"}], "responses": [{"text": "hi"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot", "name": 7}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list", "responses": []})
