"""The conversation around the answers: sessions, /start, the privacy notice, the language
picker, /delete, and the plain replies (greeting, goodbye, out of scope …)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, Restarted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LotseAction, SayPhrase, button, entity, language_of, menu_buttons
from texts import LANGUAGES, MENU_PAGES, privacy_notice


class Greet(SayPhrase):
    phrase = "greet"

    def name(self) -> str:
        return "action_greet"


class AskTopic(SayPhrase):
    phrase = "ask_topic"

    def name(self) -> str:
        return "action_ask_topic"


class Goodbye(SayPhrase):
    phrase = "goodbye"

    def name(self) -> str:
        return "action_goodbye"


class YouAreWelcome(SayPhrase):
    phrase = "you_are_welcome"

    def name(self) -> str:
        return "action_you_are_welcome"


class BotChallenge(SayPhrase):
    """"Are you a bot?": yes, and what it can do."""

    phrase = "bot_challenge"

    def name(self) -> str:
        return "action_bot_challenge"


class KeepConversation(SayPhrase):
    """A no to "delete everything?"."""

    phrase = "keep_conversation"

    def name(self) -> str:
        return "action_keep_conversation"


class SessionStart(LotseAction):
    """A new session (after an hour of silence) keeps the language and the district and
    nothing else: the words of an earlier question (`topic_query`) and the offices shown then
    are not carried into it."""

    CARRIED = ("language", "district")

    def name(self) -> str:
        return "action_session_start"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        kept = [SlotSet(slot, tracker.get_slot(slot)) for slot in self.CARRIED if tracker.get_slot(slot) is not None]
        return [SessionStarted(), *kept, ActionExecuted("action_listen")]


class PrivacyNotice(LotseAction):
    """What is stored, for how long (the retention limit the city set), who sees it."""

    def name(self) -> str:
        return "action_privacy"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=privacy_notice(self.texts, language_of(tracker), self.resources.keep_days))
        return []


class Start(LotseAction):
    """`/start`: who Lotse is, a short privacy notice, the first page of the topic menu; the
    menu's page buttons send `/start` with the page to show (then only the menu)."""

    def name(self) -> str:
        return "action_start"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        page = entity(tracker, "menu_page")
        if page is not None and str(page).isdigit() and int(page) in MENU_PAGES:
            dispatcher.utter_message(text=self.texts.say("ask_topic", language),
                                     buttons=menu_buttons(self.texts, language, int(page)))
            return []
        dispatcher.utter_message(text=self.texts.say("start", language), buttons=menu_buttons(self.texts, language))
        return [SlotSet("language", language)]  # the buttons that follow carry no words to detect it from


class ChooseLanguage(LotseAction):
    """The language picker: each language named in itself; a pressed button (its payload
    carries the `language` entity, which sets the slot) is confirmed in the new language."""

    def name(self) -> str:
        return "action_choose_language"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        chosen = entity(tracker, "language")
        if (tracker.latest_message.get("text") or "").startswith("/") and chosen in LANGUAGES:
            dispatcher.utter_message(text=self.texts.say("language_chosen", chosen))
            return []
        buttons = [button(self.texts.say("language_name", language), "choose_language", language=language)
                   for language in LANGUAGES]
        dispatcher.utter_message(text=self.texts.say("choose_language", language_of(tracker)), buttons=buttons)
        return []


class AskDelete(LotseAction):
    """`/delete`: nothing is erased without a yes."""

    def name(self) -> str:
        return "action_ask_delete"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=self.texts.say("ask_delete", language), buttons=[
            button(self.texts.say("button_delete_yes", language), "affirm"),
            button(self.texts.say("button_delete_no", language), "deny")])
        return []


class DeleteConversation(LotseAction):
    """After the yes: asks the channel to erase the conversation (rasa_server/channel.py erases
    it in Rasa, the adapter what it keeps: cases, its inbox, the advisors' topic), and starts
    afresh. The confirmation is in the channel's hands: it is sent only once all is erased."""

    def name(self) -> str:
        return "action_delete_conversation"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(json_message={"delete_conversation": {"language": language_of(tracker)}})
        return [Restarted()]
