"""A coordinator finds entries by what they still need and sees, per entry, its facts, its
translations' state and how the bot will show it in every language."""

from __future__ import annotations

import re
import shutil

from db import connect
from knowledge.store import sync
from tests.conftest import BIELEFELD, PILOT_ENTRIES
from tests.workspace.conftest import log_in
from texts import newcomer_texts
from workspace.accounts import create_demo_accounts
from workspace.app import create_app


def rows(page: str) -> list[str]:
    """The entry ids of the list's rows."""
    return re.findall(r'<div class="id"><bdi dir="ltr">([^<]+)</bdi></div>', page)


def every_row(client, query: str = "") -> set[str]:
    """The entry ids on every page of the list for `query`."""
    found: set[str] = set()
    for number in range(1, 10):
        page = rows(client.get(f"/entries?{query}&page={number}").get_data(as_text=True))
        if set(page) <= found:
            return found
        found |= set(page)
    return found


def test_the_list_shows_every_entry_page_by_page_with_its_translation_state_per_language(client):
    log_in(client, "koordination")
    count = len(list(PILOT_ENTRIES.glob("*.yml")))
    first = client.get("/entries").get_data(as_text=True)
    assert f"{count} von {count} Einträgen · Seite 1 von 2" in first
    assert {"ar", "prs", "uk", "en"} <= set(re.findall(r'<th scope="col" lang="en">(\w+)</th>', first))
    second = client.get("/entries?page=2").get_data(as_text=True)
    assert len(rows(first)) == 50 and len(rows(second)) == count - 50
    assert not set(rows(first)) & set(rows(second))
    assert rows(client.get("/entries?page=99").get_data(as_text=True)) == rows(second)  # past the end: the last page


def test_the_next_page_keeps_the_filters(client):
    log_in(client, "koordination")
    page = client.get("/entries?status=published&ui=en").get_data(as_text=True)
    next_link = re.search(r'<a href="([^"]+)" rel="next">', page)
    assert next_link and "status=published" in next_link.group(1) and "page=2" in next_link.group(1)


def test_filters_narrow_the_list_by_topic_status_district_and_search(client):
    log_in(client, "koordination")
    everything = every_row(client)
    health = set(rows(client.get("/entries?topic=health").get_data(as_text=True)))
    drafts = set(rows(client.get("/entries?status=draft").get_data(as_text=True)))
    mitte = set(rows(client.get("/entries?district=Mitte").get_data(as_text=True)))
    searched = rows(client.get("/entries?q=ausländerbehörde").get_data(as_text=True))
    assert health and drafts and mitte and health < everything and drafts < everything and mitte < everything
    assert "gesundheitsamt-bielefeld" in health and "auslaenderbehoerde" not in health
    assert "auslaenderbehoerde" in mitte
    assert searched == ["auslaenderbehoerde"]


def test_entries_whose_facts_nobody_confirmed_can_be_listed_for_phone_calls(client):
    log_in(client, "koordination")
    due = rows(client.get("/entries?due=1").get_data(as_text=True))
    assert "auslaenderbehoerde" in due  # no one has called the office yet


def test_an_entry_page_shows_its_facts_sources_and_the_bots_answer_in_every_language(client):
    log_in(client, "uebersetzung-ar")
    page = client.get("/entries/auslaenderbehoerde").get_data(as_text=True)
    assert "<h1 lang=\"de\">Ausländerbehörde Bielefeld</h1>" in page
    assert "Niederwall" in page  # the address
    for language, direction, title in (("ar", "rtl", "دائرة الأجانب في بيليفيلد"), ("uk", "ltr", "Білефельд")):
        card = re.search(rf'<div class="card" lang="{language}" dir="{direction}">(.*?)</div>', page, re.S)
        assert card and title in card.group(1)
        assert "<b>" in card.group(1)  # the bot's markup, shown as it looks in Telegram


def test_an_unknown_entry_is_a_clear_not_found(client):
    log_in(client, "koordination")
    response = client.get("/entries/no-such-entry")
    assert response.status_code == 404 and "Diese Seite gibt es nicht." in response.get_data(as_text=True)


def test_the_pages_speak_the_chosen_language_and_turn_right_to_left_for_arabic_and_dari(client):
    page = client.get("/login?ui=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert '<html lang="ar" dir="rtl">' in client.get("/login").get_data(as_text=True)  # remembered
    page = client.get("/login?ui=uk").get_data(as_text=True)
    assert '<html lang="uk" dir="ltr">' in page and "Увійти" in page


def test_markup_typed_into_an_entry_appears_as_text_in_the_list_the_entry_page_and_the_preview(tmp_path, clock,
                                                                                               workspace_app):
    entries = tmp_path / "entries"
    shutil.copytree(PILOT_ENTRIES, entries)
    path = entries / "auslaenderbehoerde.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Ausländerbehörde Bielefeld", 'title: "Ausländerbehörde <script>alert(1)</script>"'), encoding="utf-8")
    engine = connect(f"sqlite:///{tmp_path / 'lotse.db'}")
    from db import migrate

    migrate(engine)
    sync(engine, entries, BIELEFELD.district_names)
    create_demo_accounts(engine, "demo-password-of-the-tests")
    app = create_app(workspace_app.config["LOTSE_SETTINGS"], engine, BIELEFELD, newcomer_texts(), clock=clock)
    client = app.test_client()
    log_in(client, "koordination")
    for page in (client.get("/entries").get_data(as_text=True),
                 client.get("/entries/auslaenderbehoerde").get_data(as_text=True)):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    engine.dispose()
