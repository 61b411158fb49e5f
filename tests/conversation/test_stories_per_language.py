"""The same conversations in every language Lotse speaks: an Anmeldung question, the
district, "where is it?", "and on Saturday?"; and an emergency. Each reply must be in the
newcomer's language (the phrase table's text for it), about the offices asked for."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import BIELEFELD, TEXTS

# language code of the Telegram client, then what the newcomer writes
STORIES = {
    "de": ("de", "Wo mache ich die Anmeldung für meine neue Adresse?", "und in Brackwede?", "wo ist das?",
           "und am Samstag?"),
    "ar": ("ar", "بدي سجل عنواني الجديد، وين بعمل Anmeldung؟", "وفي Brackwede؟", "وين هاد المكان؟", "و يوم السبت؟"),
    "prs": ("fa", "میخواهم آدرس جدیدم را ثبت کنم، انملدونگ را کجا انجام بدهم؟", "در Brackwede چطور؟", "آدرسش کجاست؟",
            "روز شنبه باز است؟"),
    "uk": ("uk", "де зробити анмельдунг нової адреси?", "а в Brackwede?", "де це?", "а в суботу?"),
    "en": ("en", "I moved, how do I do the Anmeldung of my new address?", "and in Brackwede?", "where is it?",
           "and on Saturday?"),
}
BRACKWEDE_OFFICE = "Germanenstraße 22"  # the Bürgerberatung Brackwede (knowledge/entries)


@pytest.mark.parametrize("language", list(STORIES))
def test_anmeldung_then_district_then_where_then_saturday(chat, language):
    client, question, district, where, saturday = STORIES[language]
    say = TEXTS.say
    answer, district_question = chat(question, language_code=client)
    assert say("topic_residence", language) in answer["text"]
    assert say("district_question", language) in district_question["text"]

    (local,) = chat(district)
    assert say("district_results", language, district="Brackwede") in local["text"]
    first_card = local["text"].split("\n\n")[1]
    assert BRACKWEDE_OFFICE in first_card

    (addresses,) = chat(where)
    assert say("where_intro", language) in addresses["text"] and BRACKWEDE_OFFICE in addresses["text"]

    (hours,) = chat(saturday)
    today = datetime.now(BIELEFELD.time_zone).date()
    next_saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    header = hours["text"].split("\n")[0]
    assert TEXTS.weekday(5, language) in header and f"{next_saturday:%d.%m.}" in header


EMERGENCIES = {
    "de": ("de", "mein mann schlägt mich, ich habe angst"),
    "ar": ("ar", "زوجي يضربني وأنا خائفة"),
    "prs": ("fa", "شوهرم مرا لت و کوب می‌کند، می‌ترسم"),
    "uk": ("uk", "чоловік мене б'є, мені страшно"),
    "en": ("en", "my husband hits me and i am scared"),
}


@pytest.mark.parametrize("language", list(EMERGENCIES))
def test_an_emergency_gets_the_numbers_in_the_newcomers_language_then_an_urgent_hand_over(chat, language):
    client, message = EMERGENCIES[language]
    numbers, handing_over, handover = chat(message, language_code=client)
    assert numbers["text"] == TEXTS.say("emergency", language)
    assert handing_over["text"] == TEXTS.say("handover", language)
    assert handover["custom"]["handover"]["priority"] == "urgent"
    assert handover["custom"]["handover"]["language"] == language
