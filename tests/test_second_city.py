"""A second city is a file and its entries, not code: with the made-up test city Musterstadt
(tests/data/cities/), the districts, the holidays, the city's name in every phrase and its
emergency numbers all come from its file, in the knowledge base, the coordinators' command
line and the actions' answers."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import Resources
from actions.answers import AnswerTopic
from actions.follow_ups import ChooseDistrict
from actions.handover import Emergency
from cities import InvalidCity, configured_city, load_city
from db import connect
from devtools.scratch import migrated
from knowledge.districts import match_district, nearest_district
from knowledge.hours import is_open
from knowledge.scaffold import new_entry
from knowledge.search import KnowledgeBase
from knowledge.store import load_stored_entries
from knowledge.validation import InvalidEntries, load_entries
from tests.conftest import BIELEFELD, PROJECT_ROOT
from texts import newcomer_texts

MUSTERSTADT_FILE = PROJECT_ROOT / "tests" / "data" / "cities" / "musterstadt.yml"
MUSTERSTADT = load_city(MUSTERSTADT_FILE)
REPENTANCE_DAY = datetime(2026, 11, 18, 10, 0)  # Buß- und Bettag, a Wednesday: a holiday in Saxony, not in NRW


def tracker(text: str, intent: str, **entities: str) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "metadata": {},
               "entities": [{"entity": name, "value": value} for name, value in entities.items()]}
    return Tracker("city-test", {"language": "de"}, message, [], False, None, {}, "action_listen")


@pytest.fixture
def musterstadt(tmp_path) -> Iterator[Resources]:
    """What the action server makes with LOTSE_CITY=tests/data/cities/musterstadt.yml, after
    `python -m knowledge sync` with the same setting."""
    database = f"sqlite:///{tmp_path / 'musterstadt.db'}"
    migrated(database).dispose()
    synced = subprocess.run([sys.executable, "-m", "knowledge", "sync"], capture_output=True, text=True, timeout=120,
                            cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": database,
                                                   "LOTSE_CITY": str(MUSTERSTADT_FILE)})
    assert synced.returncode == 0, synced.stderr[-2000:]
    engine = connect(database)
    assert [entry.id for entry in load_stored_entries(engine)] == ["wohnberatung-nordhafen"]
    yield Resources(KnowledgeBase(engine), engine, MUSTERSTADT, newcomer_texts().bound(MUSTERSTADT.phrase_values()), 90)
    engine.dispose()


def test_districts_and_neighbourhoods_are_the_citys():
    assert MUSTERSTADT.district_names == ("Altstadt", "Nordhafen")
    assert match_district("ich wohne am kranufer", MUSTERSTADT) == "Nordhafen"
    assert match_district("in Brackwede", MUSTERSTADT) is None and match_district("in Brackwede",
                                                                                  BIELEFELD) == "Brackwede"
    assert nearest_district(50.039, 10.001, MUSTERSTADT) == "Nordhafen"
    assert nearest_district(52.0210, 8.5340, MUSTERSTADT) is None  # Bielefeld is far outside Musterstadt


def test_an_entry_is_checked_against_its_own_citys_districts():
    assert [entry.id for entry in load_entries(MUSTERSTADT.entries, MUSTERSTADT.district_names)] == [
        "wohnberatung-nordhafen"]
    with pytest.raises(InvalidEntries, match=re.escape("'address.district' is 'Nordhafen'; use one of: Mitte")):
        load_entries(MUSTERSTADT.entries, BIELEFELD.district_names)


def test_a_new_entry_form_names_the_citys_districts(tmp_path):
    form = new_entry(tmp_path, "beratung-altstadt", MUSTERSTADT).read_text(encoding="utf-8")
    assert "city: Musterstadt" in form and "Altstadt, Nordhafen" in form and "Brackwede" not in form


def test_offices_close_on_the_citys_own_public_holidays():
    (office,) = load_entries(MUSTERSTADT.entries, MUSTERSTADT.district_names)
    assert is_open(office, REPENTANCE_DAY, MUSTERSTADT) is False
    assert is_open(office, REPENTANCE_DAY, BIELEFELD) is True


def test_the_actions_answer_with_the_citys_name_offices_districts_and_numbers(musterstadt):
    dispatcher = CollectingDispatcher()
    asyncio.run(AnswerTopic(musterstadt).run(dispatcher, tracker("Ich suche eine Wohnung", "ask_housing"), {}))
    answer = dispatcher.messages[0]["text"]
    assert answer.startswith("Diese Stellen in Musterstadt helfen beim Thema Wohnen:")
    assert "Wohnberatung Nordhafen" in answer and "Bielefeld" not in answer

    dispatcher = CollectingDispatcher()
    asyncio.run(ChooseDistrict(musterstadt).run(dispatcher, tracker("in Atlantis", "inform_district"), {}))
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == ["Altstadt", "Nordhafen"]

    for language in ("de", "uk"):
        dispatcher = CollectingDispatcher()
        asyncio.run(Emergency(musterstadt).run(dispatcher, Tracker("city-test", {"language": language}, {}, [], False,
                                                                    None, {}, "action_listen"), {}))
        text = dispatcher.messages[0]["text"]
        assert "0800 000 0 001" in text and "0800 111 0 111" not in text


def test_a_city_file_that_cannot_be_used_is_refused_naming_it(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(MUSTERSTADT_FILE.read_text(encoding="utf-8").replace("Europe/Berlin", "Europe/Nowhere"),
                      encoding="utf-8")
    with pytest.raises(InvalidCity,
                       match=re.escape("broken.yml: 'time_zone' 'Europe/Nowhere' is not an IANA time zone")):
        load_city(broken)
    with pytest.raises(InvalidCity, match="LOTSE_CITY=atlantis: there is no city file"):
        configured_city("atlantis")
    assert configured_city(None).name == "Bielefeld"
