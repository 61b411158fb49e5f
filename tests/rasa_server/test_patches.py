"""The faster check of action server responses still rejects what Rasa rejects."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_server.patches import install_patches


def test_valid_action_results_pass_and_malformed_ones_are_still_rejected():
    install_patches()
    action = RemoteAction("action_answer_topic", EndpointConfig("http://localhost:5055/webhook"))
    assert action._validate_action_result(
        {"events": [{"event": "slot", "name": "topic", "value": "work"}], "responses": [{"text": "hi"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot", "name": 7}], "responses": []})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list", "responses": []})
