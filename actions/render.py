"""Service answers as Telegram HTML in the newcomer's language: name with the German office
term, what it does for me, address, open now / opens when, contact, languages spoken, and
how fresh the facts are (confirmed with the office, or as of a source's date). Every
knowledge text is escaped; in Arabic and Dari, lines start right-to-left and Latin
addresses, phone numbers and times are marked left-to-right so they are not scrambled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape

from cities import City
from knowledge.entry import SOURCE_LANGUAGE, WEEKDAYS, Geo, ServiceEntry, SourceDate, verification_due
from knowledge.hours import is_open, next_opening, openings_on
from knowledge.search import ServiceAnswer
from texts import RIGHT_TO_LEFT, Phrases

LEFT_TO_RIGHT_MARK, RIGHT_TO_LEFT_MARK = "\u200e", "\u200f"


def answer_message(intro: str, answers: Sequence[ServiceAnswer], language: str, now: datetime, phrases: Phrases,
                   city: City) -> str:
    """One short sentence, then one card per service, then "Did this help?" for the 👍/👎 buttons."""
    cards = [service_card(answer, language, now, phrases, city) for answer in answers]
    closing = _line(escape(phrases.say("feedback_question", language)), language)
    return "\n\n".join([_line(escape(intro), language), *cards, closing])


def service_card(answer: ServiceAnswer, language: str, now: datetime, phrases: Phrases, city: City) -> str:
    entry, texts = answer.entry, answer.texts

    def label(key: str, **values: str) -> str:
        return escape(phrases.say(key, language, **values))

    lines = []
    if not answer.translated:
        lines.append(label("label_in_german" if answer.language == SOURCE_LANGUAGE else "label_in_english"))
    lines.append(_bold_title(answer))
    lines.append(escape(texts.summary))
    if _has_address(entry):
        lines.append("📍 " + _ltr(escape(_address(entry)), language))
    lines.append(escape(_opening_state(entry, language, now, phrases, city)))
    lines += _hours_note(answer)
    if entry.appointment_required:
        lines.append(label("label_appointment"))
    contact = entry.contact
    lines += [f"{symbol} {_ltr(escape(value), language)}"
              for symbol, value in (("☎️", contact.phone), ("✉️", contact.email), ("🌐", contact.website)) if value]
    if entry.languages_spoken:
        lines.append(label("label_languages", languages=", ".join(entry.languages_spoken)))
    lines.append(escape(_as_of(entry, language, city.local(now).date(), phrases)))
    return "\n".join(_line(line, language) for line in lines)


def location_message(intro: str, answers: Sequence[ServiceAnswer], language: str, phrases: Phrases) -> str:
    """"Where is it?": each service's address, with a map link where the entry has coordinates."""
    cards = []
    for answer in answers:
        entry = answer.entry
        where = _ltr(escape(_address(entry)), language) if _has_address(entry) else escape(
            phrases.say("label_no_address", language))
        lines = [_bold_title(answer), f"📍 {where}"]
        if entry.geo:
            link, label = escape(_map_link(entry.geo), quote=True), escape(phrases.say("label_map", language))
            lines.append(f'🗺 <a href="{link}">{label}</a>')
        cards.append("\n".join(_line(line, language) for line in lines))
    return "\n\n".join([_line(escape(intro), language), *cards])


def hours_message(answers: Sequence[ServiceAnswer], language: str, day: date | None, now: datetime,
                  phrases: Phrases, city: City) -> str:
    """"When is it open?" / "and on Saturday?": the hours on that day (closed on a public
    holiday), or without a day the whole week with the state right now."""
    if day is None:
        intro = phrases.say("hours_intro", language)
    else:
        intro = phrases.say("hours_on_day", language, weekday=phrases.weekday(day.weekday(), language),
                            date=_ltr(f"{day:%d.%m.}", language))
    cards = []
    for answer in answers:
        entry = answer.entry
        if day is None:
            lines = [_bold_title(answer), escape(_opening_state(entry, language, now, phrases, city)), *(
                f"{escape(phrases.weekday(WEEKDAYS.index(weekday), language))}: {_ltr(times, language)}"
                for weekday, times in _week(entry))]
        else:
            lines = [f"{_bold_title(answer)}: {escape(_hours_on(entry, day, language, phrases, city))}"]
        cards.append("\n".join(_line(line, language) for line in lines + _hours_note(answer)))
    return "\n\n".join([_line(escape(intro), language), *cards])


def _week(entry: ServiceEntry) -> list[tuple[str, str]]:
    """(weekday, "08:00–12:00, 14:00–16:00") for each day with hours, Monday first."""
    by_day: dict[str, list[str]] = {}
    for interval in entry.opening_hours:
        by_day.setdefault(interval.weekday, []).append(f"{interval.opens:%H:%M}–{interval.closes:%H:%M}")
    return [(weekday, ", ".join(by_day[weekday])) for weekday in WEEKDAYS if weekday in by_day]


def _hours_on(entry: ServiceEntry, day: date, language: str, phrases: Phrases, city: City) -> str:
    if not entry.opening_hours:
        return phrases.say("label_hours_unknown", language)
    if city.is_public_holiday(day):
        return phrases.say("label_holiday", language)
    spans = [f"{start:%H:%M}–{end:%H:%M}" for start, end in openings_on(entry, day, city)]
    return _ltr(", ".join(spans), language) if spans else phrases.say("label_closed_on_day", language)


def _bold_title(answer: ServiceAnswer) -> str:
    return f"<b>{escape(_title_with_german_term(answer))}</b>"


def _hours_note(answer: ServiceAnswer) -> list[str]:
    return [f"<i>{escape(answer.texts.hours_note)}</i>"] if answer.texts.hours_note else []


def _map_link(geo: Geo) -> str:
    lat, lon = geo.lat, geo.lon
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def _has_address(entry: ServiceEntry) -> bool:
    return bool(entry.address and (entry.address.street or entry.address.postcode))


def _title_with_german_term(answer: ServiceAnswer) -> str:
    """"دائرة الأجانب (Ausländerbehörde)": newcomers meet the German name on letters and doors."""
    title = answer.texts.title
    if answer.language == SOURCE_LANGUAGE or "(" in title:
        return title
    return f"{title} ({answer.entry.translations[SOURCE_LANGUAGE].title})"


def _address(entry: ServiceEntry) -> str:
    address = entry.address
    if address is None:
        return ""
    place = " ".join(part for part in (address.postcode, address.city) if part)
    text = ", ".join(part for part in (address.street, place) if part)
    return f"{text} ({address.district})" if address.district else text


def _as_of(entry: ServiceEntry, language: str, today: date, phrases: Phrases) -> str:
    """How fresh the facts are, from the right field: the day a person confirmed them with the
    office, else the source's own date, else only the day the source was read."""
    if entry.last_verified is not None:
        key = "label_confirmed_long_ago" if verification_due(entry, today) else "label_confirmed"
        return phrases.say(key, language, date=_ltr(_day(entry.last_verified), language))
    if entry.stated is not None:
        return phrases.say("label_as_of_source", language, date=_ltr(_source_day(entry.stated), language))
    read_on = entry.read_on
    return phrases.say("label_undated_source", language,
                       date=_ltr(_day(read_on) if read_on else "?", language))


def _day(day: date) -> str:
    """Dates as on German letters and doors: 3.12.2026."""
    return f"{day.day}.{day.month}.{day.year}"


def _source_day(dated: SourceDate) -> str:
    """As precise as the source: 2019, 5/2019 or 3.5.2019."""
    if dated.day and dated.month:
        return _day(dated.earliest)
    return f"{dated.month}/{dated.year}" if dated.month else str(dated.year)


def _opening_state(entry: ServiceEntry, language: str, now: datetime, phrases: Phrases, city: City) -> str:
    state = is_open(entry, now, city)
    if state is None:
        return phrases.say("label_hours_unknown", language)
    if state:
        return phrases.say("label_open_now", language)
    opens = next_opening(entry, now, city)
    if opens is None:
        return phrases.say("label_closed", language)
    return phrases.say("label_opens", language, weekday=phrases.weekday(opens.weekday(), language),
                       time=_ltr(f"{opens:%H:%M}", language))


def _ltr(text: str, language: str) -> str:
    return f"{LEFT_TO_RIGHT_MARK}{text}{LEFT_TO_RIGHT_MARK}" if language in RIGHT_TO_LEFT else text


def _line(text: str, language: str) -> str:
    return f"{RIGHT_TO_LEFT_MARK}{text}" if language in RIGHT_TO_LEFT else text
