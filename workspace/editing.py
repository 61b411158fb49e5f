"""Changing an entry's document in the workspace: one language's texts, the contact facts,
and what changed field by field (for the audit log and the reviewer's comparison). Plain
functions over the stored document; the knowledge base's own validation judges the result."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from knowledge.entry import SOURCE_LANGUAGE, Translation, source_text_hash

TEXT_FIELDS = ("title", "summary", "offers", "keywords", "hours_note", "appointment_info", "cost")
LIST_FIELDS = frozenset({"offers", "keywords"})  # one item per line in the form
CONTACT_FIELDS = ("phone", "email", "website")


def form_value(texts: Mapping[str, Any], field: str) -> str:
    """A stored text as the form shows it (a list one item per line)."""
    value = texts.get(field)
    if value is None:
        return ""
    return "\n".join(map(str, value)) if field in LIST_FIELDS else str(value)


def german_hash(document: Mapping[str, Any]) -> str:
    """The hash of the document's German texts (what a translation says it was made from)."""
    return _german_hash(document.get("translations") or {})


def _german_hash(translations: Mapping[str, Any]) -> str:
    german = translations.get(SOURCE_LANGUAGE) or {}
    return source_text_hash(Translation(
        title=str(german.get("title") or ""), summary=str(german.get("summary") or ""),
        offers=tuple(map(str, german.get("offers") or ())), keywords=tuple(map(str, german.get("keywords") or ())),
        hours_note=german.get("hours_note"), appointment_info=german.get("appointment_info"),
        cost=german.get("cost")))


def with_texts(document: Mapping[str, Any], language: str, form: Mapping[str, str], minor: bool = False,
               german_seen: str | None = None) -> dict[str, Any]:
    """The document with `language`'s texts taken from `form` (empty optional fields left out).
    A changed German text leaves the translations marked as made from the old one, so they
    show as outdated, unless the editor calls the change `minor` (then the translations that
    were current stay current); a saved translation is marked as made from the German text
    its translator saw (`german_seen`, the hash the form was shown with), else today's."""
    changed = copy.deepcopy(dict(document))
    translations = changed.setdefault("translations", {})
    german_before = _german_hash(translations)
    texts = dict(translations.get(language) or {})
    for field in TEXT_FIELDS:
        raw = form.get(field, "")
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        value: Any = lines if field in LIST_FIELDS else raw.strip()
        if value or field in ("title", "summary"):
            texts[field] = value
        else:
            texts.pop(field, None)
    translations[language] = texts
    german_now = _german_hash(translations)
    if language != SOURCE_LANGUAGE:
        texts["source_hash"] = german_seen or german_now
    elif minor:  # what was current stays current; what was outdated already stays outdated
        for other, translation in translations.items():
            if other != SOURCE_LANGUAGE and translation and translation.get("source_hash") == german_before:
                translation["source_hash"] = german_now
    return changed


def with_contact(document: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    changed = copy.deepcopy(dict(document))
    changed["contact"] = {field: (form.get(field, "").strip() or None) for field in CONTACT_FIELDS}
    return changed


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flat(item, f"{path}.{key}" if path else str(key)))
        return flat
    return {path: value}


def field_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field path ("translations.ar.title", "contact.phone") -> [before, after], for every
    field that differs."""
    old, new = _flat(before or {}), _flat(after)
    return {path: [old.get(path), new.get(path)] for path in sorted(old.keys() | new.keys())
            if old.get(path) != new.get(path)}
