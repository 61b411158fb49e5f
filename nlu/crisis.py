"""Crisis words without the model: the `crisis_terms` lookup tables of the training data
(nlu/*.yml, the lexicon the NLU's RegexFeaturizer uses), matched as whole words in one
spelling per letter. The adapter uses it when Rasa cannot be asked: a message in crisis then
goes to an advisor at once instead of waiting for Rasa to come back."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from nlu.text import normalise_spelling

TRAINING_DATA = Path(__file__).resolve().parent


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
