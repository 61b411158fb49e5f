"""A valid knowledge entry (as a document) to vary, and writing entries as coordinators do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge.entry import Translation, source_text_hash

GERMAN: dict[str, Any] = {
    "title": "Integrationskurse der Volkshochschule",
    "summary": "Deutschkurse mit Orientierungskurs für Neuzugewanderte.",
    "offers": ["Einstufungstest", "Kurse A1 bis B1"],
    "keywords": ["Integrationskurs", "Deutschkurs", "VHS"],
}


def translated(title: str) -> dict:
    german = Translation(title=GERMAN["title"], summary=GERMAN["summary"],
                         offers=tuple(GERMAN["offers"]), keywords=tuple(GERMAN["keywords"]))
    return {"title": title, "summary": "…", "source_hash": source_text_hash(german)}


VALID: dict[str, Any] = {
    "id": "vhs-integrationskurse",
    "status": "draft",
    "topics": ["language_course"],
    "organisation": "Volkshochschule (example)",
    "address": {"street": "Beispielstraße 1", "postcode": "33602", "city": "Bielefeld", "district": "Mitte"},
    "opening_hours": [
        {"days": ["mon", "tue"], "opens": "08:00", "closes": "12:00"},
        {"days": ["mon"], "opens": "13:00", "closes": "16:00"},
    ],
    "contact": {"phone": "+49 521 000000", "email": "kurse@example.org", "website": "https://example.org/kurse"},
    "translations": {
        "de": GERMAN,
        "ar": translated("دورات الاندماج"),
        "uk": translated("Інтеграційні курси"),
    },
}


def write_entry(directory: Path, data: dict, name: str | None = None) -> Path:
    path = directory / f"{name or data['id']}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
