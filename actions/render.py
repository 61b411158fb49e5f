"""Service answers as Telegram HTML in the newcomer's language: name with the German office
term, what it does for me, address, open now / opens when, contact, languages spoken, and a
warning when the facts are due for checking. Every knowledge text is escaped; in Arabic and
Dari, lines start right-to-left and Latin addresses, phone numbers and times are marked
left-to-right so they are not scrambled."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Sequence

from actions.phrases import RIGHT_TO_LEFT, Phrases
from knowledge.entry import SOURCE_LANGUAGE, ServiceEntry, verification_due
from knowledge.hours import BERLIN, is_open, next_opening
from knowledge.search import ServiceAnswer

LEFT_TO_RIGHT_MARK, RIGHT_TO_LEFT_MARK = "\u200e", "\u200f"


def answer_message(intro: str, answers: Sequence[ServiceAnswer], language: str, now: datetime, phrases: Phrases) -> str:
    """One short sentence, then one card per service."""
    cards = [service_card(answer, language, now, phrases) for answer in answers]
    return "\n\n".join([_line(escape(intro), language), *cards])


def service_card(answer: ServiceAnswer, language: str, now: datetime, phrases: Phrases) -> str:
    entry, texts = answer.entry, answer.texts

    def label(key: str, **values: str) -> str:
        return escape(phrases.say(key, language, **values))

    lines = []
    if not answer.translated:
        lines.append(label("label_in_german" if answer.language == SOURCE_LANGUAGE else "label_in_english"))
    lines.append(f"<b>{escape(_title_with_german_term(answer))}</b>")
    lines.append(escape(texts.summary))
    if entry.address and (entry.address.street or entry.address.postcode):
        lines.append("📍 " + _ltr(escape(_address(entry)), language))
    lines.append(escape(_opening_state(entry, language, now, phrases)))
    if texts.hours_note:
        lines.append(f"<i>{escape(texts.hours_note)}</i>")
    if entry.appointment_required:
        lines.append(label("label_appointment"))
    contact = entry.contact
    lines += [f"{symbol} {_ltr(escape(value), language)}"
              for symbol, value in (("☎️", contact.phone), ("✉️", contact.email), ("🌐", contact.website)) if value]
    if entry.languages_spoken:
        lines.append(label("label_languages", languages=", ".join(entry.languages_spoken)))
    if verification_due(entry, now.astimezone(BERLIN).date()):
        lines.append(label("label_unverified"))
    return "\n".join(_line(line, language) for line in lines)


def _title_with_german_term(answer: ServiceAnswer) -> str:
    """"دائرة الأجانب (Ausländerbehörde)": newcomers meet the German name on letters and doors."""
    title = answer.texts.title
    if answer.language == SOURCE_LANGUAGE or "(" in title:
        return title
    return f"{title} ({answer.entry.translations[SOURCE_LANGUAGE].title})"


def _address(entry: ServiceEntry) -> str:
    address = entry.address
    place = " ".join(part for part in (address.postcode, address.city) if part)
    text = ", ".join(part for part in (address.street, place) if part)
    return f"{text} ({address.district})" if address.district else text


def _opening_state(entry: ServiceEntry, language: str, now: datetime, phrases: Phrases) -> str:
    state = is_open(entry, now)
    if state is None:
        return phrases.say("label_hours_unknown", language)
    if state:
        return phrases.say("label_open_now", language)
    opens = next_opening(entry, now)
    if opens is None:
        return phrases.say("label_closed", language)
    return phrases.say("label_opens", language, weekday=phrases.weekday(opens.weekday(), language),
                       time=_ltr(f"{opens:%H:%M}", language))


def _ltr(text: str, language: str) -> str:
    return f"{LEFT_TO_RIGHT_MARK}{text}{LEFT_TO_RIGHT_MARK}" if language in RIGHT_TO_LEFT else text


def _line(text: str, language: str) -> str:
    return f"{RIGHT_TO_LEFT_MARK}{text}" if language in RIGHT_TO_LEFT else text
