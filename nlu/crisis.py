"""Crisis words without the model: the `crisis_terms` lookup tables of the training data
(nlu/*.yml, the lexicon the NLU's RegexFeaturizer uses), matched as whole words in one
spelling per letter. The adapter uses it when Rasa cannot be asked: a message in crisis then
goes to an advisor at once instead of waiting for Rasa to come back."""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from pathlib import Path

import yaml

from nlu.text import normalise_spelling

TRAINING_DATA = Path(__file__).resolve().parent

EMERGENCY = "emergency"
DANGER = "danger"
"""Key of the parse result that says how sure an emergency is (`Danger`)."""


class Danger(str, Enum):
    """How an emergency was recognised, which decides what Lotse does with it."""

    CERTAIN = "certain"  # the emergency numbers and an urgent hand-over at once
    POSSIBLE = "possible"  # the emergency numbers and the question whether there is danger now


def _normal(text: str) -> str:
    return " ".join(normalise_spelling(word) for word in text.split())


@lru_cache(maxsize=1)
def _crisis_terms() -> re.Pattern[str]:
    terms: set[str] = set()
    for path in sorted(TRAINING_DATA.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if item.get("lookup") == "crisis_terms":
                terms |= {_normal(line.strip()[2:]) for line in item["examples"].splitlines() if line.strip()}
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True) if term)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def mentions_crisis(text: str) -> bool:
    """Whether the message names a crisis term of any language."""
    return bool(_crisis_terms().search(_normal(text)))
