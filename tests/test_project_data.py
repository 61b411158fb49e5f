"""The Rasa project is consistent: data validates, every answer exists in every language,
and the held-out split is never trained on."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

LANGUAGES = ("de", "ar", "prs", "uk", "en")


def _examples(path: Path) -> dict[str, str]:
    """normalised example text -> intent"""
    examples = {}
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        if "intent" in block:
            for line in block["examples"].splitlines():
                text = re.sub(r"[\W_]+", " ", line.strip()[2:].lower()).strip()
                if text:
                    examples[text] = block["intent"]
    return examples


def test_rasa_data_validate_passes_without_warnings():
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [str(rasa), "data", "validate", "--data", "nlu", "stories", "--fail-on-warnings"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "UserWarning" not in result.stderr


def test_every_response_exists_in_every_language_with_an_english_default():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variations in domain["responses"].items():
        languages = [
            condition["value"]
            for variation in variations
            for condition in variation.get("condition", [])
            if condition["name"] == "language"
        ]
        assert sorted(languages) == sorted(LANGUAGES), name
        defaults = [v for v in variations if "condition" not in v]
        assert len(defaults) == 1, f"{name}: needs exactly one default for an unknown language"
        assert all(v["text"].strip() for v in variations), name


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_split_is_never_trained_on(language):
    train = _examples(PROJECT_ROOT / "nlu" / f"{language}.yml")
    held_out = _examples(PROJECT_ROOT / "tests" / "data" / "nlu" / f"{language}.yml")
    assert held_out, "the held-out split is empty"
    assert sorted(set(train) & set(held_out)) == []
