"""Coordinators see what is missing or stale, and start new entries from a form."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from datetime import date

import pytest
import yaml

from devtools.scratch import migrated
from knowledge.answers import AnswerStatistics
from knowledge.entry import TranslationStatus
from knowledge.report import build_report, html_page, phone_calls, terminal_table
from knowledge.scaffold import new_entry
from knowledge.validation import InvalidEntries, load_entries
from tests.conftest import BIELEFELD, PROJECT_ROOT
from tests.helpers.entries import VALID, write_entry


def report_for(tmp_path, *documents, today=date(2026, 11, 22)):
    for document in documents:
        write_entry(tmp_path, document)
    return {r.id: r for r in build_report(load_entries(tmp_path, BIELEFELD.district_names), today)}


def test_a_german_edit_marks_the_translations_outdated_and_missing_ones_are_listed(tmp_path):
    edited = copy.deepcopy(VALID)
    edited["translations"]["de"]["offers"].append("Kinderbetreuung während des Kurses")
    (report,) = report_for(tmp_path, edited).values()
    assert report.translations == {"ar": TranslationStatus.OUTDATED, "prs": TranslationStatus.MISSING,
                                   "uk": TranslationStatus.OUTDATED, "en": TranslationStatus.MISSING}
    assert "ar: outdated translation" in report.to_do and "prs: missing translation" in report.to_do


def test_facts_older_than_180_days_and_entries_without_contact_or_hours_are_due(tmp_path):
    old = copy.deepcopy(VALID)
    old.update(id="old", last_verified="2026-05-01")
    fresh = copy.deepcopy(VALID)
    fresh.update(id="fresh", last_verified="2026-06-01", opening_hours=[])
    del fresh["contact"]
    reports = report_for(tmp_path, old, fresh)
    assert reports["old"].verification_due
    assert "confirmed 2026-05-01, more than 180 days ago" in reports["old"].to_do
    assert not reports["fresh"].verification_due
    assert {"no phone, e-mail or website", "no opening hours"} <= set(reports["fresh"].to_do)
    assert reports["old"].has_contact and reports["old"].has_hours


def test_entries_are_ranked_by_the_age_of_their_facts_and_the_unconfirmed_published_ones_need_a_call(tmp_path):
    def entry(entry_id: str, **fields) -> dict:
        data = copy.deepcopy(VALID)
        data.update({"id": entry_id, "status": "published", **fields})
        data.setdefault("sources", [{"url": "https://example.org", "read_on": "2026-11-22"}])
        return data

    reports = report_for(
        tmp_path,
        entry("confirmed", last_verified="2026-10-01"),
        entry("dated-2019", sources=[{"url": "https://example.org/a", "read_on": "2026-11-22", "dated": "2019-05"},
                                     {"url": "https://example.org/b", "read_on": "2026-11-22", "dated": "2024"}]),
        entry("dated-2004", sources=[{"url": "https://example.org", "read_on": "2026-11-22", "dated": 2004}]),
        entry("undated"),
        entry("draft-undated", status="draft"),
    )
    ranked = list(reports.values())
    assert [r.id for r in ranked] == ["draft-undated", "undated", "dated-2004", "dated-2019", "confirmed"]
    assert reports["dated-2019"].facts_age == "source dated 2019-05"
    assert reports["undated"].facts_age == "unknown (no source gives a date)"
    calls = phone_calls(ranked)
    assert [r.id for r in calls] == ["undated", "dated-2004", "dated-2019"]
    assert "to confirm with the office (3)" in terminal_table(ranked, AnswerStatistics({}, {}))
    assert "+49 521 000000" in html_page(ranked, date(2026, 11, 22), AnswerStatistics({}, {})).split(
        "to confirm with the office")[1]


def test_the_table_and_the_html_page_show_each_entry_and_escape_its_texts(tmp_path):
    tricky = copy.deepcopy(VALID)
    tricky["organisation"] = "<script>alert(1)</script> & Co"
    reports = list(report_for(tmp_path, tricky).values())
    no_answers = AnswerStatistics({}, {})
    table = terminal_table(reports, no_answers)
    assert "vhs-integrationskurse" in table and "MISSING" in table and reports[0].german_hash in table
    page = html_page(reports, date(2026, 11, 22), no_answers)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page and "<script>" not in page
    assert "prs: missing translation" in page


def test_cli_report_prints_the_table_and_writes_the_html_page(tmp_path):
    entries, page = tmp_path / "entries", tmp_path / "report.html"
    entries.mkdir()
    write_entry(entries, VALID)
    database = f"sqlite:///{tmp_path / 'lotse.db'}"
    migrated(database).dispose()
    result = subprocess.run([sys.executable, "-m", "knowledge", "report", "--entries", str(entries),
                             "--html", str(page)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT,
                            env={**os.environ, "DATABASE_URL": database})
    assert result.returncode == 0
    assert "1 entries (oldest facts first), 0 complete, 1 with something to do" in result.stdout
    assert "vhs-integrationskurse" in page.read_text(encoding="utf-8")


def test_a_new_entry_is_a_commented_form_that_validate_walks_the_coordinator_through(tmp_path):
    path = new_entry(tmp_path, "jobcenter-mitte", BIELEFELD)
    text = path.read_text(encoding="utf-8")
    assert text.count("\n#") > 20 and "id: jobcenter-mitte" in text
    with pytest.raises(InvalidEntries) as raised:
        load_entries(tmp_path, BIELEFELD.district_names)
    messages = "\n".join(map(str, raised.value.problems))
    assert "'translations.de.title' is missing" in messages and "'organisation' is missing" in messages

    data = yaml.safe_load(text)
    data["organisation"] = "Jobcenter"
    data["translations"]["de"].update(title="Jobcenter Mitte", summary="Bürgergeld und Arbeitssuche.")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (entry,) = load_entries(tmp_path, BIELEFELD.district_names)
    assert entry.status == "draft" and entry.address and entry.address.city == "Bielefeld" and not entry.sources


def test_new_refuses_an_existing_file_or_a_bad_id_and_writes_nothing(tmp_path):
    existing = write_entry(tmp_path, VALID)
    before = existing.read_text(encoding="utf-8")

    def cli(entry_id: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "knowledge", "new", entry_id, "--entries", str(tmp_path)],
                              capture_output=True, text=True, cwd=PROJECT_ROOT)

    refused = cli("vhs-integrationskurse")
    assert refused.returncode == 1 and "already exists" in refused.stderr
    assert existing.read_text(encoding="utf-8") == before
    refused = cli("Jobcenter Mitte")
    assert refused.returncode == 1 and "not a valid id" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vhs-integrationskurse.yml"]
