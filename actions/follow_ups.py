"""Follow-ups after an answer: "where is it?", "when is it open?" (today, tomorrow, on
Saturday), and the newcomer's district (pressed, typed or from a shared location)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ask_for_the_topic, district_buttons, send_services
from actions.base import LotseAction, Resources, button, entity, language_of
from actions.render import hours_message, location_message
from cities import City
from knowledge.districts import match_district, nearest_district
from knowledge.entry import WEEKDAYS
from knowledge.search import ServiceAnswer


class ShowWhere(LotseAction):
    """"Where is it?" after an answer: the addresses of the services just shown, with a map link."""

    def name(self) -> str:
        return "action_show_where"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language, services = language_of(tracker), shown_services(self.resources, tracker)
        if not services:
            return ask_for_the_topic(self.texts, dispatcher, tracker)
        dispatcher.utter_message(
            text=location_message(self.texts.say("where_intro", language), services, language, self.texts),
            buttons=[button(self.texts.say("button_hours", language), "ask_hours")])
        return []


def shown_services(resources: Resources, tracker: Tracker) -> list[ServiceAnswer]:
    """The services of the last answer, for "where is it?" and "when is it open?"."""
    return resources.knowledge.index().services(tracker.get_slot("shown_services") or [], language_of(tracker))


class ShowHours(LotseAction):
    """"When is it open?", "and on Saturday?", "tomorrow?" after an answer: the hours of the
    services just shown on that day, or for the whole week."""

    def name(self) -> str:
        return "action_show_hours"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        language, services = language_of(tracker), shown_services(self.resources, tracker)
        if not services:
            return ask_for_the_topic(self.texts, dispatcher, tracker)
        now = self.resources.city.now()
        day = day_meant(entity(tracker, "weekday"), now.date())
        dispatcher.utter_message(text=hours_message(services, language, day, now, self.texts, self.resources.city),
                                 buttons=[button(self.texts.say("button_where", language), "ask_where")])
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

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        district = district_meant(tracker, self.resources.city)
        if district is None:
            dispatcher.utter_message(text=self.texts.say("district_unknown", language_of(tracker)),
                                     buttons=district_buttons(self.resources.city))
            return []
        return [SlotSet("district", district), *send_services(
            self.resources, dispatcher, language_of(tracker), tracker.get_slot("topic"),
            tracker.get_slot("topic_query") or "", 0, district)]


def district_meant(tracker: Tracker, city: City) -> str | None:
    named = entity(tracker, "district")
    if named in city.district_names:
        return named
    place = coordinates(entity(tracker, "latitude"), entity(tracker, "longitude"))
    if place is not None:
        return nearest_district(*place, city)
    return match_district(tracker.latest_message.get("text") or "", city)


def coordinates(latitude: Any, longitude: Any) -> tuple[float, float] | None:
    """A shared location's coordinates, or None for anything that is not one: the entities
    come from a button's payload, which a newcomer can also type."""
    try:
        place = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    return place if -90 <= place[0] <= 90 and -180 <= place[1] <= 180 else None
