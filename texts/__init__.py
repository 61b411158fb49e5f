"""Lotse's languages, topics and phrase tables: which languages it speaks, which topics it
answers, and every sentence it says to newcomers (newcomers.yml), to advisors (advisors.yml)
and on the pages of the coordinators' workspace (workspace.yml). It depends on nothing else
of Lotse's, so the adapter, the action server, the workspace, the knowledge base and the NLU
all take these from here."""

from texts.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    RIGHT_TO_LEFT,
    language_from_client_code,
    serving_language,
)
from texts.phrases import Phrases, advisor_texts, newcomer_texts, privacy_notice, workspace_texts
from texts.topics import GENERAL, INTENT_OF_TOPIC, MENU_PAGES, TOPIC_LIST, TOPIC_OF_INTENT, TOPICS, menu_page

__all__ = ["DEFAULT_LANGUAGE", "GENERAL", "INTENT_OF_TOPIC", "LANGUAGES", "MENU_PAGES", "RIGHT_TO_LEFT", "TOPICS",
           "TOPIC_LIST", "TOPIC_OF_INTENT", "Phrases", "advisor_texts", "language_from_client_code", "menu_page",
           "newcomer_texts", "privacy_notice", "serving_language", "workspace_texts"]
