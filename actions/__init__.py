"""Lotse's custom actions for Rasa (rasa-sdk), served by `python -m actions`. Each action is a
class whose `name()` is the action's name in domain.yml; all are made with the same
`Resources` (knowledge base, answer log, city, texts) by `all_actions`."""

from __future__ import annotations

from actions.answers import AnswerTopic, Clarify, MoreResults, OutOfScope, RateAnswer
from actions.base import LotseAction, Resources
from actions.conversation import (
    AskDelete,
    AskTopic,
    BotChallenge,
    ChooseLanguage,
    DeleteConversation,
    Goodbye,
    Greet,
    KeepConversation,
    PrivacyNotice,
    SessionStart,
    Start,
    YouAreWelcome,
)
from actions.follow_ups import ChooseDistrict, ShowHours, ShowWhere
from actions.handover import Emergency, HandOver

ACTIONS: tuple[type[LotseAction], ...] = (
    SessionStart, Start, Greet, AskTopic, Goodbye, YouAreWelcome, BotChallenge, OutOfScope, Emergency, PrivacyNotice,
    ChooseLanguage, AskDelete, DeleteConversation, KeepConversation, AnswerTopic, MoreResults, Clarify, RateAnswer,
    ShowWhere, ShowHours, ChooseDistrict, HandOver,
)


def all_actions(resources: Resources) -> list[LotseAction]:
    return [action(resources) for action in ACTIONS]
