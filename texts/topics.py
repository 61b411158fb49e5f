"""The topics newcomers ask about. Each has an intent `ask_<topic>` in the NLU data, a phrase
`topic_<topic>` and a button `button_<topic>` in newcomers.yml; knowledge entries are tagged
with them."""

from __future__ import annotations

TOPICS = ("housing", "language_course", "work", "residence")
GENERAL = "general"
"""The tag of entries for first orientation, shown with every topic's answers."""
ENTRY_TOPICS = (*TOPICS, GENERAL)
