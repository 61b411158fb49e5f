"""Rasa pipeline components that run before the classifier.

They are thin: the logic lives in `nlu.text` and `nlu.language`, plain functions that can be
tested without Rasa. Both components are registered with Rasa's default recipe and are
referenced from config.yml by their module path."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.crisis import DANGER, EMERGENCY, Danger, mentions_crisis
from nlu.language import Evidence, detect_language
from nlu.text import MAX_MESSAGE_CHARS, clean_message, normalise_spelling

logger = logging.getLogger(__name__)

LANGUAGE_ENTITY = "language"
"""Entity (and slot) that carries the conversation's language to Rasa Core."""


class _StatelessComponent(GraphComponent):
    """A component without training or persisted state."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


class _TextPreprocessor(_StatelessComponent):
    """Changes messages in training and in prediction alike, so both see the same input."""

    def process(self, messages: list[Message]) -> list[Message]:
        raise NotImplementedError

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class MessageCleaner(_TextPreprocessor):
    """Removes control and bidi characters and cuts over-long text before tokenisation."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_chars": MAX_MESSAGE_CHARS}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            clean = clean_message(message.get(TEXT), self._config["max_chars"])
            message.set(TEXT, clean.text)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class SpellingNormaliser(_TextPreprocessor):
    """Gives every token a normalised lemma (one spelling per letter, no optional marks),
    which the count-vector featurizers use instead of the raw token. The message text,
    and so what the language detector and the logs see, stays as written."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            for token in message.get(TOKENS_NAMES[TEXT], []):
                token.lemma = normalise_spelling(token.text)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(_StatelessComponent, EntityExtractorMixin):
    """Adds the detected language to the parse result and, when the text gives evidence
    that may change the conversation's language, as a `language` entity that fills the
    `language` slot. The channel may send `language_code` (the Telegram client's) and
    `language` (the conversation's so far) in the message metadata."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            try:
                self._detect(message)
            except Exception:  # a failed detection must not lose the message
                logger.exception("Language detection failed; the message is kept without it")
        return messages

    def _detect(self, message: Message) -> None:
        metadata: dict[str, Any] = message.get("metadata") or {}
        previous: str | None = metadata.get("language")
        guess = detect_language(message.get(TEXT) or "", metadata.get("language_code"), previous)
        message.set(
            "language",
            {"code": guess.code, "confidence": guess.confidence, "evidence": guess.evidence.name.lower()},
            add_to_output=True,
        )
        if guess.evidence is Evidence.LANGUAGE or (
            previous is not None and guess.evidence is Evidence.SCRIPT
        ):
            entity = {
                "entity": LANGUAGE_ENTITY,
                "value": guess.code,
                "start": 0,
                "end": len(message.get(TEXT) or ""),
                "confidence": guess.confidence,
            }
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name([entity]),
                add_to_output=True,
            )


@dataclass(frozen=True)
class EmergencyBars:
    """The confidences EmergencyFirst needs, tuned on the held-out split by `make nlu-report`."""

    min_confidence: float  # below it, the model sees no danger
    certain_confidence: float  # from it, the model alone makes an emergency certain
    crisis_min_confidence: float  # with a crisis term named, certain already from here


def read_danger(ranking: list[dict[str, Any]], names_a_crisis: bool, bars: EmergencyBars) -> Danger | None:
    """How sure the emergency in a ranking is, even when another intent (or the fallback) ranks
    higher: a missed emergency costs far more than a needless list of emergency numbers. A
    crisis term (the lexicon in nlu/*.yml) makes it certain; without one, the model's word
    alone is trusted only when it is very sure, because ordinary worried questions ("my child
    has had a rash for two weeks") also look like danger to it. In between, the newcomer gets
    the numbers and is asked, rather than an advisor being alarmed."""
    confidence = next((entry["confidence"] for entry in ranking if entry["name"] == EMERGENCY), None)
    if confidence is None:
        return None
    if names_a_crisis and confidence >= min(bars.min_confidence, bars.crisis_min_confidence):
        return Danger.CERTAIN
    if confidence >= bars.certain_confidence:
        return Danger.CERTAIN
    if confidence >= bars.min_confidence:
        return Danger.POSSIBLE
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class EmergencyFirst(_StatelessComponent):
    """Runs after the FallbackClassifier and turns any message in which `read_danger` finds
    danger into an emergency, with `danger` ("certain" or "possible") in the parse result."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_confidence": 0.2, "certain_confidence": 0.0, "crisis_min_confidence": 0.2}

    def process(self, messages: list[Message]) -> list[Message]:
        bars = EmergencyBars(**{name: self._config[name] for name in self.get_default_config()})
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            danger = read_danger(ranking, mentions_crisis(message.get(TEXT) or ""), bars)
            if danger is not None:
                confidence = next(entry["confidence"] for entry in ranking if entry["name"] == EMERGENCY)
                message.set(INTENT, {"name": EMERGENCY, "confidence": confidence}, add_to_output=True)
                message.set(DANGER, danger.value, add_to_output=True)
        return messages
