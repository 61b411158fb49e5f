"""Which of the city's districts a newcomer means: a district or a neighbourhood within it
named as typed, misspelled or without umlauts ("in brakwede?", "joellenbeck", "Baumheide"),
or a shared location (the district of the nearest centre: a newcomer needs the nearest
office, not a boundary map). The districts, neighbourhoods and centres are the city's data
(cities/<city>.yml)."""

from __future__ import annotations

import math
import re
import unicodedata
from difflib import SequenceMatcher

from cities import City

SIMILAR_ENOUGH = 0.8  # "senestadt" (0.95) and "brakwede" (0.93) match, "senne" vs "sennestadt" (0.67) does not
_WORD = re.compile(r"[^\W\d_]+")


def _plain(word: str) -> str:
    """Lower case, umlauts as their base letter, whether typed as ö or oe."""
    word = word.casefold().replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def match_district(text: str, city: City) -> str | None:
    """The district named in `text` (directly or by a neighbourhood), or None; the closest
    spelling wins."""
    candidates = {_plain(district.name): district.name for district in city.districts}
    candidates.update({_plain(place): district.name
                       for district in city.districts for place in district.neighbourhoods})
    best, best_ratio = None, 0.0
    for word in map(_plain, _WORD.findall(text)):
        for plain, district in candidates.items():
            ratio = 1.0 if word == plain else SequenceMatcher(None, word, plain).ratio()
            if ratio >= SIMILAR_ENOUGH and ratio > best_ratio:
                best, best_ratio = district, ratio
    return best


def nearest_district(latitude: float, longitude: float, city: City) -> str | None:
    """The district whose centre is nearest to the point; None outside the city."""
    def kilometres(centre: tuple[float, float]) -> float:
        # a degree of latitude is 111 km; one of longitude shrinks with the cosine of the latitude
        return 111.2 * math.hypot(centre[0] - latitude, (centre[1] - longitude) * math.cos(math.radians(latitude)))

    nearest = min(city.districts, key=lambda district: kilometres(district.centre))
    return nearest.name if kilometres(nearest.centre) <= city.outside_km else None
