"""Rasa is started only with its API behind a token, and the token is never on the command line."""

from __future__ import annotations

import pytest

from rasa_server.serve import rasa_arguments


def test_without_a_token_rasa_does_not_start_and_says_which_variable_is_missing():
    for missing in (None, ""):
        with pytest.raises(SystemExit, match="RASA_TOKEN is not set"):
            rasa_arguments(["--port", "5005"], missing)


def test_the_api_is_enabled_only_together_with_the_token():
    arguments = rasa_arguments(["--port", "5005", "--enable-api"], "-starts-with-a-dash")
    assert arguments[:2] == ["rasa", "run"] and arguments[-1] == "--auth-token=-starts-with-a-dash"
