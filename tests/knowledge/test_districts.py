"""A newcomer names a district as they type it, or shares where they are."""

from __future__ import annotations

import pytest

from knowledge.districts import match_district, nearest_district
from tests.conftest import BIELEFELD


@pytest.mark.parametrize("text, district", [
    ("in Brackwede?", "Brackwede"),
    ("und in brakwede", "Brackwede"),
    ("ich wohne in joellenbeck", "Jöllenbeck"),
    ("я живу в Jollenbeck", "Jöllenbeck"),
    ("انا ساكن في senestadt", "Sennestadt"),
    ("Senne bitte", "Senne"),
    ("what about Schildesche", "Schildesche"),
    ("بسكن بـ Baumheide", "Heepen"),
    ("я в Windflote живу", "Senne"),
    ("Bethel", "Gadderbaum"),
])
def test_a_district_is_recognised_as_typed_misspelled_without_umlauts_or_by_its_neighbourhood(text, district):
    assert match_district(text, BIELEFELD) == district


@pytest.mark.parametrize("text", ["wo ist das", "in Berlin?", "ich bin neu hier"])
def test_words_that_are_no_district_name_none(text):
    assert match_district(text, BIELEFELD) is None


def test_a_shared_location_means_the_district_with_the_nearest_centre_and_none_outside_the_city():
    assert nearest_district(51.9850, 8.5130, BIELEFELD) == "Brackwede"   # near Brackwede's Bezirksamt
    assert nearest_district(52.0210, 8.5340, BIELEFELD) == "Mitte"       # the Neues Rathaus
    assert nearest_district(51.9470, 8.5900, BIELEFELD) == "Sennestadt"
    assert nearest_district(52.5200, 13.4050, BIELEFELD) is None         # Berlin
