"""Draft, review, publish: an editor changes an entry, a reviewer sees the difference and
publishes it or sends it back with a reason; a translator changes only their language; the
bot answers with what was published, at once; the YAML files never overwrite it unnoticed."""

from __future__ import annotations

import html
import re

from knowledge.search import KnowledgeBase
from knowledge.store import sync
from tests.conftest import BIELEFELD, PILOT_ENTRIES
from tests.workspace.conftest import csrf_token, log_in
from workspace.accounts import audit_log

ENTRY = "auslaenderbehoerde"


def edit_form(client, language: str) -> dict[str, str]:
    """What the edit form holds now, as the browser would send it back."""
    page = client.get(f"/entries/{ENTRY}/edit?language={language}").get_data(as_text=True)
    fields = dict(re.findall(r'<input id="(\w+)" name="\w+" lang="[\w-]+" dir="\w+" value="([^"]*)"', page))
    fields |= dict(re.findall(r'<textarea id="(\w+)" name="\w+"[^>]*>([^<]*)</textarea>', page, re.S))
    fields |= dict(re.findall(r'<input id="contact-(\w+)" name="\w+" dir="ltr" value="([^"]*)"', page))
    fields |= dict(re.findall(r'<input type="hidden" name="(base|german_seen)" value="([^"]*)"', page))
    token = csrf_token(client, f"/entries/{ENTRY}/edit?language={language}")
    return {name: html.unescape(value) for name, value in fields.items()} | {"csrf_token": token}


def save(client, language: str, **changes: str) -> int:
    return client.post(f"/entries/{ENTRY}/edit?language={language}",
                       data=edit_form(client, language) | changes).status_code


def shown_revision(client) -> str:
    """The open revision the entry page shows (its forms name it)."""
    found = re.search(r'name="revision" value="(\d+)"', client.get(f"/entries/{ENTRY}").get_data(as_text=True))
    return found.group(1) if found else ""


def step(client, action: str, revision: str | None = None, **data: str) -> str:
    """Submit, approve or reject the revision shown (or `revision`); the entry page it leads to."""
    token = csrf_token(client, f"/entries/{ENTRY}")
    response = client.post(f"/entries/{ENTRY}/{action}", follow_redirects=True, data={
        "csrf_token": token, "revision": revision or shown_revision(client), **data})
    return response.get_data(as_text=True)


def answer_title(engine, language: str) -> str:
    knowledge = KnowledgeBase(engine)
    (answer,) = knowledge.index().services([ENTRY], language)
    return answer.texts.title


def test_an_arabic_change_goes_through_review_and_the_bot_answers_with_it(workspace_app, workspace_engine):
    editor, reviewer = workspace_app.test_client(), workspace_app.test_client()
    log_in(editor, "koordination")
    log_in(reviewer, "pruefung")
    knowledge = KnowledgeBase(workspace_engine)
    assert knowledge.index().services([ENTRY], "ar")[0].texts.title == "دائرة الأجانب في بيليفيلد"

    assert save(editor, "ar", title="دائرة الأجانب (Ausländerbehörde) في بيليفيلد") == 302
    page = editor.get(f"/entries/{ENTRY}").get_data(as_text=True)
    assert "Entwurf von koordination" in page
    assert "translations.ar.title" in page  # the difference to the published version
    assert knowledge.index().services([ENTRY], "ar")[0].texts.title == "دائرة الأجانب في بيليفيلد"  # not yet live

    assert "Von koordination zur Prüfung gegeben." in step(editor, "submit")
    assert "Freigeben und veröffentlichen" in reviewer.get(f"/entries/{ENTRY}").get_data(as_text=True)
    assert "Keine offene Änderung" in step(reviewer, "approve")
    assert knowledge.index().services([ENTRY], "ar")[0].texts.title == "دائرة الأجانب (Ausländerbehörde) في بيليفيلد"
    actions = [event.action for event in audit_log(workspace_engine)]
    assert actions[:3] == ["publish", "submit", "save_draft"]
    assert audit_log(workspace_engine)[2].changes["translations.ar.title"] == [
        "دائرة الأجانب في بيليفيلد", "دائرة الأجانب (Ausländerbehörde) في بيليفيلد"]


def test_a_change_sent_back_shows_the_reason_to_the_editor_and_stays_unpublished(workspace_app, workspace_engine):
    editor, reviewer = workspace_app.test_client(), workspace_app.test_client()
    log_in(editor, "koordination")
    log_in(reviewer, "pruefung")
    save(editor, "de", summary="Zuständig für alles.")
    step(editor, "submit")
    assert "Bitte einen Grund" in step(reviewer, "reject", comment=" ")
    step(reviewer, "reject", comment="Zu ungenau, bitte die Aufgaben nennen.")
    page = editor.get(f"/entries/{ENTRY}").get_data(as_text=True)
    assert "Zurückgegeben von pruefung:" in page and "Zu ungenau, bitte die Aufgaben nennen." in page
    assert "Zuständig für alles." not in answer_title(workspace_engine, "de")
    assert "Zur Prüfung geben" in page  # it can be corrected and submitted again


def test_nobody_publishes_their_own_change(workspace_app, workspace_engine):
    both = workspace_app.test_client()
    from workspace.accounts import Role, create_account

    create_account(workspace_engine, "redaktion-und-pruefung", "a-long-password", [Role.EDITOR, Role.REVIEWER])
    log_in(both, "redaktion-und-pruefung", "a-long-password")
    save(both, "de", title="Ausländerbehörde der Stadt Bielefeld")
    step(both, "submit")
    assert "Vier-Augen-Prinzip" in step(both, "approve")
    assert answer_title(workspace_engine, "de") == "Ausländerbehörde Bielefeld"


def test_a_translator_changes_only_their_language(workspace_app):
    translator = workspace_app.test_client()
    log_in(translator, "uebersetzung-ar")
    assert translator.get(f"/entries/{ENTRY}/edit?language=de").status_code == 403
    token = csrf_token(translator, f"/entries/{ENTRY}/edit?language=ar")
    refused = translator.post(f"/entries/{ENTRY}/edit?language=uk", data={"csrf_token": token, "title": "x",
                                                                           "summary": "y"})
    assert refused.status_code == 403
    page = translator.get(f"/entries/{ENTRY}/edit?language=ar").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page and "Ausländerbehörde Bielefeld" in page  # the German source beside
    assert "language=de" not in page  # no German tab


def test_a_german_change_makes_the_translations_outdated_unless_it_is_minor(workspace_app):
    editor = workspace_app.test_client()
    log_in(editor, "koordination")
    save(editor, "de", summary="Zuständig für Aufenthaltsrechte und Einreise. Vorsprache nur mit Termin.")
    page = editor.get(f"/entries/{ENTRY}").get_data(as_text=True)
    assert page.count('class="state-outdated"') == 4
    save(editor, "de", summary="Zuständig für Aufenthaltsrechte und Einreise. Vorsprache nur mit Termin!", minor="1")
    assert editor.get(f"/entries/{ENTRY}").get_data(as_text=True).count('class="state-outdated"') == 4  # still
    save(editor, "ar", summary="مسؤولة عن حقوق الإقامة والدخول. المراجعة بموعد فقط.")
    assert editor.get(f"/entries/{ENTRY}").get_data(as_text=True).count('class="state-outdated"') == 3


def test_a_reviewer_without_editing_rights_cannot_edit_and_an_editor_cannot_publish(workspace_app):
    reviewer, editor = workspace_app.test_client(), workspace_app.test_client()
    log_in(reviewer, "pruefung")
    log_in(editor, "koordination")
    assert reviewer.get(f"/entries/{ENTRY}/edit").status_code == 403
    save(editor, "de", title="Ausländerbehörde")
    step(editor, "submit")
    token = csrf_token(editor, f"/entries/{ENTRY}")
    assert editor.post(f"/entries/{ENTRY}/approve", data={"csrf_token": token}).status_code == 403
    assert editor.post(f"/entries/{ENTRY}/approve").status_code == 400  # and never without the CSRF token


def test_sync_from_the_files_keeps_what_the_workspace_changed_and_says_so(workspace_app, workspace_engine):
    editor, reviewer = workspace_app.test_client(), workspace_app.test_client()
    log_in(editor, "koordination")
    log_in(reviewer, "pruefung")
    save(editor, "de", title="Ausländerbehörde der Stadt Bielefeld")
    step(editor, "submit")
    step(reviewer, "approve")
    result = sync(workspace_engine, PILOT_ENTRIES, BIELEFELD.district_names)
    assert result.kept == (ENTRY,) and result.updated == 0
    assert answer_title(workspace_engine, "de") == "Ausländerbehörde der Stadt Bielefeld"


def test_two_publications_in_the_same_second_both_reach_the_bot_and_the_list(workspace_app, workspace_engine):
    editor, reviewer = workspace_app.test_client(), workspace_app.test_client()
    log_in(editor, "koordination")
    log_in(reviewer, "pruefung")
    knowledge = KnowledgeBase(workspace_engine)  # as the action server holds it
    for title in ("Ausländerbehörde (1)", "Ausländerbehörde (2)"):  # the clock of the tests stands still
        save(editor, "de", title=title)
        step(editor, "submit")
        step(reviewer, "approve")
        assert knowledge.index().services([ENTRY], "de")[0].texts.title == title
        assert f">{title}</a>" in reviewer.get(f"/entries?q={ENTRY}").get_data(as_text=True)


def test_a_reviewer_publishes_only_the_version_they_saw(workspace_app, workspace_engine):
    editor, reviewer = workspace_app.test_client(), workspace_app.test_client()
    log_in(editor, "koordination")
    log_in(reviewer, "pruefung")
    save(editor, "de", title="Ausländerbehörde (gesehen)")
    step(editor, "submit")
    seen = shown_revision(reviewer)
    step(reviewer, "reject", comment="Bitte noch die Öffnungszeiten.")
    save(editor, "de", title="Ausländerbehörde (nicht gesehen)")
    step(editor, "submit")
    page = step(reviewer, "approve", revision=seen)
    assert "Die Änderung wurde inzwischen weiter bearbeitet." in page
    assert answer_title(workspace_engine, "de") == "Ausländerbehörde Bielefeld"


def test_four_eyes_counts_every_change_since_the_published_version(workspace_app, workspace_engine):
    from workspace.accounts import Role, create_account

    create_account(workspace_engine, "beides", "a-long-password", [Role.EDITOR, Role.REVIEWER])
    both, translator = workspace_app.test_client(), workspace_app.test_client()
    log_in(both, "beides", "a-long-password")
    log_in(translator, "uebersetzung-ar")
    save(both, "de", title="Ausländerbehörde (eigene Änderung)")
    save(translator, "ar", title="دائرة الأجانب")  # the newest revision is now someone else's
    step(translator, "submit")
    assert "Vier-Augen-Prinzip" in step(both, "approve")


def test_a_save_over_someone_elses_newer_change_is_refused_and_keeps_what_was_typed(workspace_app):
    from workspace.accounts import Role, create_account

    first, second = workspace_app.test_client(), workspace_app.test_client()
    log_in(first, "koordination")
    create_account(workspace_app.config["LOTSE_ENGINE"], "redaktion-2", "a-long-password", [Role.EDITOR])
    log_in(second, "redaktion-2", "a-long-password")
    stale = edit_form(second, "de")
    assert save(first, "de", title="Ausländerbehörde (erste)") == 302
    refused = second.post(f"/entries/{ENTRY}/edit?language=de", data=stale | {"title": "Ausländerbehörde (zweite)"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Jemand hat diesen Eintrag inzwischen geändert." in page
    assert 'value="Ausländerbehörde (zweite)"' in page
    assert "Ausländerbehörde (erste)" in first.get(f"/entries/{ENTRY}").get_data(as_text=True)


def test_nobody_edits_a_change_while_it_is_in_review_and_only_its_author_or_an_editor_submits(workspace_app):
    editor, translator = workspace_app.test_client(), workspace_app.test_client()
    log_in(editor, "koordination")
    log_in(translator, "uebersetzung-ar")
    save(editor, "de", title="Ausländerbehörde (Entwurf)")
    assert "Zur Prüfung geben kann diese Änderung nur" in step(translator, "submit")
    step(editor, "submit")
    locked = translator.get(f"/entries/{ENTRY}/edit?language=ar")
    assert locked.status_code == 409 and "in der Prüfung" in locked.get_data(as_text=True)
