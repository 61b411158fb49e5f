"""The document changes behind the edit form."""

from __future__ import annotations

import yaml

from knowledge.entry import TranslationStatus
from knowledge.validation import check_document
from tests.conftest import PILOT_ENTRIES
from workspace.editing import field_changes, with_contact, with_texts


def document() -> dict:
    return yaml.safe_load((PILOT_ENTRIES / "auslaenderbehoerde.yml").read_text(encoding="utf-8"))


def states(changed: dict) -> set[TranslationStatus]:
    entry, problems = check_document(changed, "test", None)
    assert entry is not None, problems
    return {entry.translation_status(language) for language in ("ar", "prs", "uk", "en")}


def german(original: dict, summary: str) -> dict[str, str]:
    texts = original["translations"]["de"]
    return {"title": texts["title"], "summary": summary, "offers": "\n".join(texts["offers"]),
            "keywords": "\n".join(texts["keywords"])}


def test_a_minor_german_change_keeps_current_translations_current_and_a_real_one_does_not():
    original = document()
    assert states(original) == {TranslationStatus.CURRENT}
    typo = with_texts(original, "de", german(original, original["translations"]["de"]["summary"] + " "), minor=True)
    assert states(with_texts(original, "de", german(original, "Ganz neu."), minor=True)) == {TranslationStatus.CURRENT}
    assert states(typo) == {TranslationStatus.CURRENT}
    assert states(with_texts(original, "de", german(original, "Ganz neu."))) == {TranslationStatus.OUTDATED}


def test_lists_are_one_item_per_line_and_empty_optional_texts_are_left_out():
    changed = with_texts(document(), "uk", {"title": "Відомство", "summary": "Коротко.", "offers": "a\n\n b \n",
                                            "cost": "  "})
    texts = changed["translations"]["uk"]
    assert texts["offers"] == ["a", "b"] and "cost" not in texts and "keywords" not in texts


def test_the_changes_name_each_field_that_differs():
    original = document()
    changed = with_contact(original, {"phone": "+49 521 51-0", "email": "abh@bielefeld.de", "website": ""})
    assert field_changes(original, changed) == {"contact.email": [None, "abh@bielefeld.de"],
                                                "contact.website": ["https://www.bielefeld.de/abh", None]}
