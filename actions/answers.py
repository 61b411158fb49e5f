"""Answers to a topic question: a page of offices from the knowledge base (the newcomer's
district first), "more", the district question, 👍/👎, and what happens when Lotse did not
understand."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.base import (
    LotseAction,
    Resources,
    advisor_button,
    button,
    entity,
    language_of,
    menu_buttons,
    topic_buttons,
)
from actions.render import answer_message
from cities import City
from knowledge.answers import GivenAnswer, log_answer, rate_answer
from texts import GENERAL, MENU_PAGES, TOPIC_OF_INTENT, Phrases, menu_page

logger = logging.getLogger("actions")

PAGE_SIZE = 3
CLARIFICATIONS_BEFORE_HANDOVER = 2  # a third message not understood goes to a person


def send_services(resources: Resources, dispatcher: CollectingDispatcher, language: str, topic: str | None,
                  query: str, offset: int, district: str | None) -> list[EventType]:
    """One page of services (the newcomer's district first, if known), a "more" button when
    there is a next page, 👍/👎 for the coordinators' report; on a first page, the question
    for the district when the topic's offices are in several. Without a topic, asks for one."""
    texts = resources.texts
    if topic is None:
        dispatcher.utter_message(text=texts.say("district_noted" if district else "ask_topic", language,
                                                district=district or ""))
        return []
    knowledge = resources.knowledge.index()
    found = knowledge.find(topic, language, query, district, limit=PAGE_SIZE + 1, offset=offset)
    page = found[:PAGE_SIZE]
    if not page:
        dispatcher.utter_message(text=texts.say("no_services" if offset == 0 else "no_more_services", language))
        return []
    now = resources.city.now()
    answer_id = _logged(resources, GivenAnswer(topic, language, district, tuple(a.entry.id for a in page), now.date()))
    intro = [texts.say(f"topic_{topic}", language)]
    if district and offset == 0:
        in_district = any(a.entry.address and a.entry.address.district == district for a in page)
        intro.append(texts.say("district_results" if in_district else "district_none", language, district=district))
    text = answer_message("\n".join(intro), page, language, now, texts, resources.city)
    buttons = [button(texts.say("button_more", language), "more")] if len(found) > PAGE_SIZE else []
    dispatcher.utter_message(text=text,
                             buttons=buttons + (feedback_buttons(texts, language, answer_id) if answer_id else []))
    if offset == 0 and not district and len(knowledge.districts(topic)) > 1:
        dispatcher.utter_message(text=texts.say("district_question", language),
                                 buttons=district_buttons(resources.city))
    return [SlotSet("topic", topic), SlotSet("topic_query", query), SlotSet("results_offset", offset + len(page)),
            SlotSet("not_understood", 0), SlotSet("shown_services", [a.entry.id for a in page]),
            SlotSet("answer_id", answer_id)]


def _logged(resources: Resources, answer: GivenAnswer) -> str | None:
    """The answer's id in the answer log; None when the log cannot be written, so that a
    database hiccup costs the 👍/👎 buttons, never the answer."""
    try:
        return log_answer(resources.answer_log, answer)
    except SQLAlchemyError:
        logger.exception("answer log not written; the answer goes out without feedback buttons")
        return None


def feedback_buttons(texts: Phrases, language: str, answer_id: str) -> list[dict[str, str]]:
    return [button(texts.say(f"button_{rating}", language), f"feedback_{rating}", answer_id=answer_id)
            for rating in ("helpful", "not_helpful")]


def district_buttons(city: City) -> list[dict[str, str]]:
    """The city's districts by their German names, as on letters and street signs."""
    return [button(district, "inform_district", district=district) for district in city.district_names]


def ask_for_the_topic(texts: Phrases, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A follow-up with nothing answered before (or a topic question taken for one): the
    likeliest topics as buttons, searched with the words of this message when pressed."""
    language = language_of(tracker)
    dispatcher.utter_message(text=texts.say("ask_topic", language),
                             buttons=topic_buttons(texts, language, likeliest_topics(tracker.latest_message)))
    return [SlotSet("topic_query", tracker.latest_message.get("text"))]


def likeliest_topics(message: dict[str, Any], count: int = 2) -> tuple[str, ...]:
    """The topics the classifier found most likely, best first (all of them if it found none)."""
    ranked = [TOPIC_OF_INTENT[r["name"]] for r in message.get("intent_ranking", []) if r["name"] in TOPIC_OF_INTENT]
    return tuple(ranked[:count]) or menu_page(MENU_PAGES[0])


class AnswerTopic(LotseAction):
    """A topic question: the best matching services from the knowledge base."""

    def name(self) -> str:
        return "action_answer_topic"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        topic = TOPIC_OF_INTENT.get(intent) or tracker.get_slot("topic")
        text = tracker.latest_message.get("text") or ""
        # a pressed button carries no words: search with the question that led to the buttons
        query = (tracker.get_slot("topic_query") or "") if text.startswith("/") else text
        return send_services(self.resources, dispatcher, language_of(tracker), topic, query, 0,
                             tracker.get_slot("district"))


class MoreResults(LotseAction):
    """The "more" button: the next page for the same question."""

    def name(self) -> str:
        return "action_more_results"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        offset = int(tracker.get_slot("results_offset") or 0)
        return send_services(self.resources, dispatcher, language_of(tracker), tracker.get_slot("topic"),
                             tracker.get_slot("topic_query") or "", offset, tracker.get_slot("district"))


class Clarify(LotseAction):
    """A message Lotse did not understand: first "did you mean …?" with the likeliest topics,
    then the offer of an advisor, then the hand-over itself."""

    def name(self) -> str:
        return "action_clarify"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language, failures = language_of(tracker), int(tracker.get_slot("not_understood") or 0)
        if failures >= CLARIFICATIONS_BEFORE_HANDOVER:
            return [SlotSet("not_understood", 0), FollowupAction("action_hand_over")]
        if failures == 0:
            dispatcher.utter_message(text=self.texts.say("clarify", language), buttons=topic_buttons(
                self.texts, language, likeliest_topics(tracker.latest_message)))
        else:
            dispatcher.utter_message(text=self.texts.say("offer_advisor", language),
                                     buttons=menu_buttons(self.texts, language))
        return [SlotSet("not_understood", failures + 1), SlotSet("topic_query", tracker.latest_message.get("text"))]


class RateAnswer(LotseAction):
    """👍 or 👎 (pressed under an answer, or typed right after one): stored with the answer,
    never with the person; a 👎 offers other words or an advisor."""

    def name(self) -> str:
        return "action_rate_answer"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        helpful = tracker.latest_message.get("intent", {}).get("name") == "feedback_helpful"
        answer_id = entity(tracker, "answer_id") or tracker.get_slot("answer_id")
        try:
            if answer_id:
                rate_answer(self.resources.answer_log, str(answer_id), helpful)
        except SQLAlchemyError:
            logger.exception("rating not stored; the newcomer is answered all the same")
        if helpful:
            dispatcher.utter_message(text=self.texts.say("feedback_thanks", language))
        else:
            dispatcher.utter_message(text=self.texts.say("feedback_sorry", language),
                                     buttons=[advisor_button(self.texts, language)])
        return []


class OutOfScope(LotseAction):
    """A question outside every topic: the general counselling offices, which know where to
    go for anything, and the offer of a person — never a bare "I cannot help"."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=self.texts.say("out_of_scope", language),
                                 buttons=[advisor_button(self.texts, language)])
        return send_services(self.resources, dispatcher, language, GENERAL, tracker.latest_message.get("text") or "",
                             0, tracker.get_slot("district"))
