"""Which of Bielefeld's districts a newcomer means: a district or a neighbourhood within it
named as typed, misspelled or without umlauts ("in brakwede?", "joellenbeck", "Baumheide"),
or a shared location (the district of the nearest office with coordinates: a newcomer
needs the nearest office, not a boundary map)."""

from __future__ import annotations

import math
import re
import unicodedata
from difflib import SequenceMatcher

from knowledge.entry import BIELEFELD_DISTRICTS

# The neighbourhoods (Stadtteile) of each district, as listed under "Stadtgliederung" in
# https://inklupedia.de/index.php?title=Bielefeld (after the German Wikipedia article); Mitte
# has none of its own. Names of two parts are matched by either part ("Hoberge").
NEIGHBOURHOODS = {
    "Brackwede": ("Holtkamp", "Quelle", "Ummeln"),
    "Dornberg": ("Babenhausen", "Großdornberg", "Hoberge", "Uerentrup", "Kirchdornberg", "Niederdornberg",
                 "Deppendorf", "Schröttinghausen"),
    "Gadderbaum": ("Bethel",),
    "Heepen": ("Altenhagen", "Baumheide", "Brake", "Brönninghausen", "Milse", "Oldentrup"),
    "Jöllenbeck": ("Theesen", "Vilsendorf"),
    "Schildesche": ("Gellershagen", "Sudbrack"),
    "Senne": ("Buschkamp", "Windelsbleiche", "Windflöte"),
    "Sennestadt": ("Dalbke", "Eckardtsheim", "Heideblümchen"),
    "Stieghorst": ("Hillegossen", "Lämershagen", "Gräfinghagen", "Sieker", "Ubbedissen"),
}
# The coordinates in the infobox of each district's German Wikipedia article (Bielefeld-Mitte,
# Schildesche, Gadderbaum, Brackwede, Dornberg (Bielefeld), Jöllenbeck, Bielefeld-Heepen,
# Stieghorst, Sennestadt, Senne (Bielefeld)), read from stored copies on 2026-11-22.
DISTRICT_CENTRES = {
    "Mitte": (52.0247, 8.5592), "Schildesche": (52.0497, 8.5181), "Gadderbaum": (52.0000, 8.5167),
    "Brackwede": (51.9833, 8.5167), "Dornberg": (52.0500, 8.4667), "Jöllenbeck": (52.1000, 8.5167),
    "Heepen": (52.0333, 8.6167), "Stieghorst": (52.0000, 8.5833), "Sennestadt": (51.9500, 8.5833),
    "Senne": (51.9333, 8.5000),
}
OUTSIDE_THE_CITY_KM = 15  # farther than this from every centre: not in Bielefeld
SIMILAR_ENOUGH = 0.8  # "senestadt" (0.95) and "brakwede" (0.93) match, "senne" vs "sennestadt" (0.67) does not
_WORD = re.compile(r"[^\W\d_]+")


def _plain(word: str) -> str:
    """Lower case, umlauts as their base letter, whether typed as ö or oe."""
    word = word.casefold().replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def match_district(text: str) -> str | None:
    """The district named in `text` (directly or by a neighbourhood), or None; the closest
    spelling wins."""
    candidates = {_plain(district): district for district in BIELEFELD_DISTRICTS}
    candidates.update({_plain(place): district for district, places in NEIGHBOURHOODS.items() for place in places})
    best, best_ratio = None, 0.0
    for word in map(_plain, _WORD.findall(text)):
        for plain, district in candidates.items():
            ratio = 1.0 if word == plain else SequenceMatcher(None, word, plain).ratio()
            if ratio >= SIMILAR_ENOUGH and ratio > best_ratio:
                best, best_ratio = district, ratio
    return best


def nearest_district(latitude: float, longitude: float) -> str | None:
    """The district whose centre is nearest to the point; None outside the city."""
    def kilometres(centre: tuple[float, float]) -> float:
        # a degree of latitude is 111 km; one of longitude shrinks with the cosine of the latitude
        return 111.2 * math.hypot(centre[0] - latitude, (centre[1] - longitude) * math.cos(math.radians(latitude)))

    district = min(DISTRICT_CENTRES, key=lambda name: kilometres(DISTRICT_CENTRES[name]))
    return district if kilometres(DISTRICT_CENTRES[district]) <= OUTSIDE_THE_CITY_KM else None
