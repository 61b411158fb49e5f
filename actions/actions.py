"""The rasa-sdk actions: thin wrappers that read the conversation, call plain functions
(knowledge search, rendering, the phrase table) and send the result. Started by
`rasa run actions` (port 5055); the knowledge store is the default one (`DATABASE_URL`, or
SQLite under var/ after `python -m knowledge sync`)."""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from datetime import date, datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ConversationPaused,
    EventType,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.phrases import phrases, privacy_notice
from actions.render import answer_message, hours_message, location_message
from knowledge.answers import GivenAnswer, log_answer, rate_answer
from knowledge.districts import match_district, nearest_district
from knowledge.entry import BIELEFELD_DISTRICTS, WEEKDAYS
from knowledge.hours import BERLIN
from knowledge.search import ServiceAnswer, default_knowledge_base
from knowledge.store import default_store
from nlu.language import LANGUAGES, serving_language

logger = logging.getLogger(__name__)

PAGE_SIZE = 3
TOPICS = ("housing", "language_course", "work", "residence")
TOPIC_INTENTS = {f"ask_{topic}": topic for topic in TOPICS}
CLARIFICATIONS_BEFORE_HANDOVER = 2  # a third message not understood goes to a person
SUMMARY_MESSAGES, SUMMARY_CHARACTERS = 3, 200


def language_of(tracker: Tracker) -> str:
    """The conversation's language; before the first message with words (a pressed `/start`
    skips the NLU), the Telegram client's language; English when neither is known."""
    language = tracker.get_slot("language")
    if language in LANGUAGES:
        return language
    client_code = (tracker.latest_message.get("metadata") or {}).get("language_code")
    return serving_language(client_code)


class LotseAction(Action, ABC):
    """An action whose failure does not fail the turn: whatever goes wrong (a database away, a
    forged entity value), the newcomer hears once that this question could not be answered,
    with the way to a person, and the turn ends. An action server that answers nothing means
    it is down; the adapter must not take a broken action for that and retry it for minutes.
    The log names the action and the error's kind, never the message or the error's text
    (which may quote what the newcomer typed)."""

    @abstractmethod
    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        """What the action does."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            return await self.respond(dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 - any failure is answered, none ends the turn unanswered
            logger.error("action %s failed: %s", self.name(), type(error).__name__)
            dispatcher.messages.clear()  # half an answer would mislead
            language = language_of(tracker)
            dispatcher.utter_message(text=phrases().say("action_failed", language),
                                     buttons=[button(phrases().say("button_advisor", language), "request_human")])
            return []


class SayPhrase(LotseAction, ABC):
    """Sends one phrase of the table in the conversation's language; one subclass per phrase."""

    @property
    @abstractmethod
    def phrase(self) -> str:
        """The key in actions/phrases.yml."""

    def name(self) -> str:
        return f"action_{self.phrase}"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=phrases().say(self.phrase, language_of(tracker)))
        return []


SPOKEN_PHRASES = ("greet", "ask_topic", "goodbye", "you_are_welcome", "bot_challenge", "out_of_scope", "emergency",
                  "keep_conversation")
SAY_ACTIONS = [type(f"Say_{phrase}", (SayPhrase,), {"phrase": phrase}) for phrase in SPOKEN_PHRASES]


def _send_services(dispatcher: CollectingDispatcher, language: str, topic: str | None, query: str, offset: int,
                   district: str | None) -> list[EventType]:
    """One page of services (the newcomer's district first, if known), a "more" button when
    there is a next page, 👍/👎 for the coordinators' report; on a first page, the question
    for the district when the topic's offices are in several. Without a topic, asks for one."""
    if topic is None:
        dispatcher.utter_message(text=phrases().say("district_noted" if district else "ask_topic", language,
                                                    district=district or ""))
        return []
    knowledge = default_knowledge_base().index()
    found = knowledge.find(topic, language, query, district, limit=PAGE_SIZE + 1, offset=offset)
    page = found[:PAGE_SIZE]
    if not page:
        dispatcher.utter_message(text=phrases().say("no_services" if offset == 0 else "no_more_services", language))
        return []
    now = datetime.now(BERLIN)
    answer_id = _logged(GivenAnswer(topic, language, district, tuple(a.entry.id for a in page), now.date()))
    intro = [phrases().say(f"topic_{topic}", language)]
    if district and offset == 0:
        in_district = any(a.entry.address and a.entry.address.district == district for a in page)
        intro.append(phrases().say("district_results" if in_district else "district_none", language, district=district))
    text = answer_message("\n".join(intro), page, language, now, phrases())
    buttons = [button(phrases().say("button_more", language), "more")] if len(found) > PAGE_SIZE else []
    dispatcher.utter_message(text=text, buttons=buttons + (feedback_buttons(language, answer_id) if answer_id else []))
    if offset == 0 and not district and len(knowledge.districts(topic)) > 1:
        dispatcher.utter_message(text=phrases().say("district_question", language), buttons=district_buttons())
    return [SlotSet("topic", topic), SlotSet("topic_query", query), SlotSet("results_offset", offset + len(page)),
            SlotSet("not_understood", 0), SlotSet("shown_services", [a.entry.id for a in page]),
            SlotSet("answer_id", answer_id)]


def _logged(answer: GivenAnswer) -> str | None:
    """The answer's id in the answer log; None when the log cannot be written, so that a
    database hiccup costs the 👍/👎 buttons, never the answer."""
    try:
        return log_answer(default_store(), answer)
    except SQLAlchemyError:
        logger.exception("answer log not written; the answer goes out without feedback buttons")
        return None


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    """A button that sends its intent (and entities) as Rasa parses a `/intent{...}` message."""
    return {"title": title, "payload": f"/{intent}{json.dumps(entities, ensure_ascii=False) if entities else ''}"}


def feedback_buttons(language: str, answer_id: str) -> list[dict[str, str]]:
    return [button(phrases().say(f"button_{rating}", language), f"feedback_{rating}", answer_id=answer_id)
            for rating in ("helpful", "not_helpful")]


def district_buttons() -> list[dict[str, str]]:
    """The city's districts by their German names, as on letters and street signs."""
    return [button(district, "inform_district", district=district) for district in BIELEFELD_DISTRICTS]


def shown_services(tracker: Tracker) -> list[ServiceAnswer]:
    """The services of the last answer, for "where is it?" and "when is it open?"."""
    return default_knowledge_base().index().services(tracker.get_slot("shown_services") or [], language_of(tracker))


def entity(tracker: Tracker, name: str) -> Any:
    return next((e["value"] for e in tracker.latest_message.get("entities", []) if e.get("entity") == name), None)


def topic_buttons(language: str, topics: tuple[str, ...] = TOPICS) -> list[dict[str, str]]:
    """Topic buttons plus "talk to an advisor"; a button sends its intent, like a typed question."""
    return [button(phrases().say(f"button_{topic}", language), f"ask_{topic}") for topic in topics] + [
        button(phrases().say("button_advisor", language), "request_human")]


class SessionStart(LotseAction):
    """A new session (after an hour of silence) keeps the language and the district and
    nothing else: the words of an earlier question (`topic_query`) and the offices shown then
    are not carried into it."""

    CARRIED = ("language", "district")

    def name(self) -> str:
        return "action_session_start"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kept = [SlotSet(slot, tracker.get_slot(slot)) for slot in self.CARRIED if tracker.get_slot(slot) is not None]
        return [SessionStarted(), *kept, ActionExecuted("action_listen")]


class PrivacyNotice(LotseAction):
    """What is stored, for how long (the retention limit the city set), who sees it."""

    def name(self) -> str:
        return "action_privacy"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=privacy_notice(language_of(tracker)))
        return []


class Start(LotseAction):
    """`/start`: who Lotse is, a short privacy notice, the topic menu."""

    def name(self) -> str:
        return "action_start"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=phrases().say("start", language), buttons=topic_buttons(language))
        return [SlotSet("language", language)]  # the buttons that follow carry no words to detect it from


class ChooseLanguage(LotseAction):
    """The language picker: each language named in itself; a pressed button (its payload
    carries the `language` entity, which sets the slot) is confirmed in the new language."""

    def name(self) -> str:
        return "action_choose_language"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        chosen = entity(tracker, "language")
        if (tracker.latest_message.get("text") or "").startswith("/") and chosen in LANGUAGES:
            dispatcher.utter_message(text=phrases().say("language_chosen", chosen))
            return []
        buttons = [button(phrases().say("language_name", language), "choose_language", language=language)
                   for language in LANGUAGES]
        dispatcher.utter_message(text=phrases().say("choose_language", language_of(tracker)), buttons=buttons)
        return []


class AskDelete(LotseAction):
    """`/delete`: nothing is erased without a yes."""

    def name(self) -> str:
        return "action_ask_delete"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=phrases().say("ask_delete", language), buttons=[
            button(phrases().say("button_delete_yes", language), "affirm"),
            button(phrases().say("button_delete_no", language), "deny")])
        return []


class DeleteConversation(LotseAction):
    """After the yes: asks the channel to erase the conversation (dialogue/channel.py erases it
    in Rasa, the adapter what it keeps: cases, its inbox, the advisors' topic), and starts
    afresh. The confirmation is in the channel's hands: it is sent only once all is erased."""

    def name(self) -> str:
        return "action_delete_conversation"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(json_message={"delete_conversation": {"language": language_of(tracker)}})
        return [Restarted()]


class Clarify(LotseAction):
    """A message Lotse did not understand: first "did you mean …?" with the likeliest topics,
    then the offer of an advisor, then the hand-over itself."""

    def name(self) -> str:
        return "action_clarify"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language, failures = language_of(tracker), int(tracker.get_slot("not_understood") or 0)
        if failures >= CLARIFICATIONS_BEFORE_HANDOVER:
            return [SlotSet("not_understood", 0), FollowupAction("action_hand_over")]
        if failures == 0:
            dispatcher.utter_message(text=phrases().say("clarify", language),
                                     buttons=topic_buttons(language, likeliest_topics(tracker.latest_message)))
        else:
            dispatcher.utter_message(text=phrases().say("offer_advisor", language), buttons=topic_buttons(language))
        return [SlotSet("not_understood", failures + 1), SlotSet("topic_query", tracker.latest_message.get("text"))]


def ask_for_the_topic(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A follow-up with nothing answered before (or a topic question taken for one): the
    likeliest topics as buttons, searched with the words of this message when pressed."""
    language = language_of(tracker)
    dispatcher.utter_message(text=phrases().say("ask_topic", language),
                             buttons=topic_buttons(language, likeliest_topics(tracker.latest_message)))
    return [SlotSet("topic_query", tracker.latest_message.get("text"))]


def likeliest_topics(message: dict[str, Any], count: int = 2) -> tuple[str, ...]:
    """The topics the classifier found most likely, best first (all four if it found none)."""
    ranked = [TOPIC_INTENTS[r["name"]] for r in message.get("intent_ranking", []) if r["name"] in TOPIC_INTENTS]
    return tuple(ranked[:count]) or TOPICS


class AnswerTopic(LotseAction):
    """A topic question: the best matching services from the knowledge base."""

    def name(self) -> str:
        return "action_answer_topic"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        topic = TOPIC_INTENTS.get(intent) or tracker.get_slot("topic")
        text = tracker.latest_message.get("text") or ""
        # a pressed button carries no words: search with the question that led to the buttons
        query = (tracker.get_slot("topic_query") or "") if text.startswith("/") else text
        return _send_services(dispatcher, language_of(tracker), topic, query, 0, tracker.get_slot("district"))


class MoreResults(LotseAction):
    """The "more" button: the next page for the same question."""

    def name(self) -> str:
        return "action_more_results"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        offset = int(tracker.get_slot("results_offset") or 0)
        return _send_services(dispatcher, language_of(tracker), tracker.get_slot("topic"),
                              tracker.get_slot("topic_query") or "", offset, tracker.get_slot("district"))


class ShowWhere(LotseAction):
    """"Where is it?" after an answer: the addresses of the services just shown, with a map link."""

    def name(self) -> str:
        return "action_show_where"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language, services = language_of(tracker), shown_services(tracker)
        if not services:
            return ask_for_the_topic(dispatcher, tracker)
        dispatcher.utter_message(text=location_message(phrases().say("where_intro", language), services, language, phrases()),
                                 buttons=[button(phrases().say("button_hours", language), "ask_hours")])
        return []


class ShowHours(LotseAction):
    """"When is it open?", "and on Saturday?", "tomorrow?" after an answer: the hours of the
    services just shown on that day, or for the whole week."""

    def name(self) -> str:
        return "action_show_hours"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language, services = language_of(tracker), shown_services(tracker)
        if not services:
            return ask_for_the_topic(dispatcher, tracker)
        now = datetime.now(BERLIN)
        day = day_meant(entity(tracker, "weekday"), now.date())
        dispatcher.utter_message(text=hours_message(services, language, day, now, phrases()),
                                 buttons=[button(phrases().say("button_where", language), "ask_where")])
        return []


def day_meant(weekday: str | None, today: date) -> date | None:
    """The date a day word points to: today, tomorrow, or the next such weekday (today included)."""
    if weekday == "today":
        return today
    if weekday == "tomorrow":
        return today + timedelta(days=1)
    if weekday in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS.index(weekday) - today.weekday()) % 7)
    return None


class ChooseDistrict(LotseAction):
    """A district pressed, typed ("in Brackwede?") or from a shared location: remembered, and
    the last question answered again with that district's offices first."""

    def name(self) -> str:
        return "action_choose_district"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        district = district_meant(tracker)
        if district is None:
            dispatcher.utter_message(text=phrases().say("district_unknown", language_of(tracker)), buttons=district_buttons())
            return []
        return [SlotSet("district", district), *_send_services(
            dispatcher, language_of(tracker), tracker.get_slot("topic"), tracker.get_slot("topic_query") or "", 0, district)]


def district_meant(tracker: Tracker) -> str | None:
    named = entity(tracker, "district")
    if named in BIELEFELD_DISTRICTS:
        return named
    place = coordinates(entity(tracker, "latitude"), entity(tracker, "longitude"))
    if place is not None:
        return nearest_district(*place)
    return match_district(tracker.latest_message.get("text") or "")


def coordinates(latitude: Any, longitude: Any) -> tuple[float, float] | None:
    """A shared location's coordinates, or None for anything that is not one: the entities
    come from a button's payload, which a newcomer can also type."""
    try:
        place = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    return place if -90 <= place[0] <= 90 and -180 <= place[1] <= 180 else None


class RateAnswer(LotseAction):
    """👍 or 👎 (pressed under an answer, or typed right after one): stored with the answer,
    never with the person; a 👎 offers other words or an advisor."""

    def name(self) -> str:
        return "action_rate_answer"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        helpful = tracker.latest_message.get("intent", {}).get("name") == "feedback_helpful"
        answer_id = entity(tracker, "answer_id") or tracker.get_slot("answer_id")
        try:
            if answer_id:
                rate_answer(default_store(), str(answer_id), helpful)
        except SQLAlchemyError:
            logger.exception("rating not stored; the newcomer is answered all the same")
        if helpful:
            dispatcher.utter_message(text=phrases().say("feedback_thanks", language))
        else:
            dispatcher.utter_message(text=phrases().say("feedback_sorry", language), buttons=topic_buttons(language, ()))
        return []


class HandOver(LotseAction):
    """Hands the conversation to an advisor: tells the newcomer, emits a hand-over message for
    the channel (language, topic, priority, short summary) and pauses the bot until the
    advisor's side resumes the conversation."""

    def name(self) -> str:
        return "action_hand_over"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=phrases().say("handover", language))
        dispatcher.utter_message(json_message={"handover": handover_request(tracker, language)})
        return [ConversationPaused()]


def handover_request(tracker: Tracker, language: str) -> dict[str, Any]:
    intent = tracker.latest_message.get("intent", {}).get("name")
    said = [event.get("text") or "" for event in tracker.events if event.get("event") == "user"]
    return {
        "language": language,
        "topic": tracker.get_slot("topic"),
        "priority": "urgent" if intent == "emergency" else "normal",
        "reason": intent,
        "summary": [text[:SUMMARY_CHARACTERS] for text in said[-SUMMARY_MESSAGES:]],
    }
