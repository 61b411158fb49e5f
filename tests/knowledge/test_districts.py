"""A newcomer names a district as they type it, or shares where they are."""

from __future__ import annotations

import pytest

from knowledge.districts import match_district, nearest_district
from knowledge.entry import Address, Geo, ServiceEntry, Translation


@pytest.mark.parametrize("text, district", [
    ("in Brackwede?", "Brackwede"),
    ("und in brakwede", "Brackwede"),
    ("ich wohne in joellenbeck", "Jöllenbeck"),
    ("я живу в Jollenbeck", "Jöllenbeck"),
    ("انا ساكن في senestadt", "Sennestadt"),
    ("Senne bitte", "Senne"),
    ("what about Schildesche", "Schildesche"),
])
def test_a_district_is_recognised_as_typed_misspelled_or_without_umlauts(text, district):
    assert match_district(text) == district


@pytest.mark.parametrize("text", ["wo ist das", "in Berlin?", "ich bin neu hier"])
def test_words_that_are_no_district_name_none(text):
    assert match_district(text) is None


def office(entry_id: str, district: str, lat: float, lon: float) -> ServiceEntry:
    return ServiceEntry(id=entry_id, status="published", topics=("residence",), organisation="Example",
                        translations={"de": Translation("Bürgerberatung", "Anmeldung")},
                        address=Address("Weg 1", "33602", "Bielefeld", district), geo=Geo(lat, lon))


def test_a_shared_location_means_the_district_of_the_nearest_office():
    offices = [office("mitte", "Mitte", 52.0206, 8.5350), office("brackwede", "Brackwede", 51.9977, 8.4996),
               office("sennestadt", "Sennestadt", 51.9451, 8.5913)]
    assert nearest_district(51.9990, 8.5050, offices) == "Brackwede"
    assert nearest_district(52.0250, 8.5400, offices) == "Mitte"
    assert nearest_district(52.0, 8.5, []) is None
