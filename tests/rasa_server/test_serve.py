"""Rasa is started only with its API behind a token, and the token is never on the command line."""

from __future__ import annotations

import os
import subprocess
import sys

from rasa_server.serve import rasa_arguments
from tests.conftest import PROJECT_ROOT


def test_without_a_token_rasa_does_not_start_and_says_which_variable_is_missing():
    for missing in ({}, {"RASA_TOKEN": ""}):
        environment = {name: value for name, value in os.environ.items() if name != "RASA_TOKEN"}
        refused = subprocess.run([sys.executable, "-m", "rasa_server.serve", "--port", "0"], capture_output=True,
                                 text=True, timeout=120, cwd=PROJECT_ROOT, env={**environment, **missing})
        assert refused.returncode != 0 and "RASA_TOKEN is not set" in refused.stderr


def test_the_api_is_enabled_only_together_with_the_token():
    arguments = rasa_arguments(["--port", "5005", "--enable-api"], "-starts-with-a-dash")
    assert arguments[:2] == ["rasa", "run"] and arguments[-1] == "--auth-token=-starts-with-a-dash"
