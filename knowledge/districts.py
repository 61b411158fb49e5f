"""Which of Bielefeld's districts a newcomer means: a name as typed, misspelled or without
umlauts ("in brakwede?", "joellenbeck"), or a shared location (the district of the nearest
office with coordinates: a newcomer needs the nearest office, not a boundary map)."""

from __future__ import annotations

import math
import re
import unicodedata
from difflib import SequenceMatcher
from typing import Iterable

from knowledge.entry import BIELEFELD_DISTRICTS, ServiceEntry

SIMILAR_ENOUGH = 0.8  # "senestadt" (0.95) and "brakwede" (0.93) match, "senne" vs "sennestadt" (0.67) does not
_WORD = re.compile(r"[^\W\d_]+")


def _plain(word: str) -> str:
    """Lower case, umlauts as their base letter, whether typed as ö or oe."""
    word = word.casefold().replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def match_district(text: str, districts: Iterable[str] = BIELEFELD_DISTRICTS) -> str | None:
    """The district named in `text`, or None; the closest spelling wins."""
    candidates = {_plain(district): district for district in districts}
    best, best_ratio = None, 0.0
    for word in map(_plain, _WORD.findall(text)):
        for plain, district in candidates.items():
            ratio = 1.0 if word == plain else SequenceMatcher(None, word, plain).ratio()
            if ratio >= SIMILAR_ENOUGH and ratio > best_ratio:
                best, best_ratio = district, ratio
    return best


def nearest_district(latitude: float, longitude: float, entries: Iterable[ServiceEntry]) -> str | None:
    """The district of the office nearest to the point (None when no office has both)."""
    located = [(e.geo, e.address.district) for e in entries if e.geo and e.address and e.address.district]
    if not located:
        return None
    scale = math.cos(math.radians(latitude))  # a degree of longitude is shorter away from the equator

    def distance(geo) -> float:
        return math.hypot(geo.lat - latitude, (geo.lon - longitude) * scale)

    return min(located, key=lambda pair: distance(pair[0]))[1]
