"""Coordinators get every problem at once, as file:line, and a bad file loads nothing."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.entry import TranslationStatus
from knowledge.validation import InvalidEntries, load_entries
from tests.conftest import BIELEFELD, PROJECT_ROOT
from tests.helpers.entries import VALID, write_entry


def problems_for(tmp_path: Path, change) -> list[str]:
    data = copy.deepcopy(VALID)
    change(data)
    write_entry(tmp_path, data)
    with pytest.raises(InvalidEntries) as raised:
        load_entries(tmp_path, BIELEFELD.district_names)
    return [str(p) for p in raised.value.problems]


def test_a_valid_entry_loads_with_its_hours_and_translations(tmp_path):
    write_entry(tmp_path, VALID)
    (entry,) = load_entries(tmp_path, BIELEFELD.district_names)
    assert entry.topics == ("language_course",)
    assert [(i.weekday, f"{i.opens:%H:%M}") for i in entry.opening_hours] == [("mon", "08:00"), ("mon", "13:00"),
                                                                              ("tue", "08:00")]
    assert entry.translation_status("ar") is TranslationStatus.CURRENT
    assert entry.translation_status("prs") is TranslationStatus.MISSING
    assert not entry.sourced and entry.last_verified is None


def test_a_translation_becomes_outdated_when_the_german_text_changes(tmp_path):
    data = copy.deepcopy(VALID)
    data["translations"]["de"]["summary"] = "Deutschkurse, jetzt auch am Abend."
    write_entry(tmp_path, data)
    (entry,) = load_entries(tmp_path, BIELEFELD.district_names)
    assert entry.translation_status("ar") is TranslationStatus.OUTDATED
    assert entry.translation_status("de") is TranslationStatus.CURRENT


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d.update(topics=["shopping"]), "'topics.0' is 'shopping'; use one of"),
        (lambda d: d.update(topics="housing"), "'topics' must be a non-empty list"),
        (lambda d: d["address"].update(district="Kreuzberg"), "'address.district' is 'Kreuzberg'"),
        (lambda d: d["address"].update(postcode="3360"), "not a valid German postcode"),
        (lambda d: d["contact"].update(website="www.example.org"), "not a valid web address"),
        (lambda d: d["contact"].update(phone="call us"), "not a valid phone number"),
        (lambda d: d["contact"].update(email="kurse(at)example.org"), "not a valid e-mail address"),
        (lambda d: d["opening_hours"][0].update(opens="25:00"), "must be a time like \"08:30\""),
        (lambda d: d["opening_hours"][1].update(opens="11:00"), "overlaps with opening_hours item 1 on mon"),
        (lambda d: d["opening_hours"][0].update(days=["monday"]), "'opening_hours.0.days.0' is 'monday'"),
        (lambda d: d["opening_hours"][0].update(closes="08:00"), "opens and closes at the same time"),
        (lambda d: d["translations"]["de"].update(title="Kurse \u202eesruK"), "invisible control or bidi characters"),
        (lambda d: d["translations"]["de"].update(summary="x" * 5000), "has 5000 characters, at most 400"),
        (lambda d: d["translations"].pop("de"), "the German text ('translations.de') is missing"),
        (lambda d: d["translations"].update(fr={"title": "Cours", "summary": "…"}), "unknown language 'fr'"),
        (lambda d: d["translations"]["ar"].pop("source_hash"), "'translations.ar.source_hash' is missing"),
        (lambda d: d.update(status="published"), "a published entry needs a source and the day it was read"),
        (lambda d: d.update(status="published", sources=[{"url": "https://example.org"}]),
         "a published entry needs a source and the day it was read"),
        (lambda d: d.update(source="https://example.org"), "'source' is now 'sources'"),
        (lambda d: d.update(sources="https://example.org"), "'sources' must be a list"),
        (lambda d: d.update(sources=[{"url": "https://example.org", "read_on": "gestern"}]),
         "'sources.0.read_on' must be a date"),
        (lambda d: d.update(sources=[{"url": "https://example.org", "dated": "Mai 2019"}]),
         "'sources.0.dated' must be the source's date"),
        (lambda d: d.update(sources=[{"url": "https://example.org", "dated": "2019-13"}]),
         "'sources.0.dated' must be the source's date"),
        (lambda d: d.update(sources=[{"url": "https://example.org", "dated": "2999"}]), "is in the future"),
        (lambda d: d.update(sources=[{"url": "https://example.org", "facts": ["rumours"]}]),
         "'sources.0.facts.0' is 'rumours'"),
        (lambda d: d.update(sources=[{"url": "https://example.org", "checked": True}]), "unknown field 'checked'"),
        (lambda d: d.update(last_verified="yesterday"), "'last_verified' must be a date"),
        (lambda d: d.update(id="VHS Kurse"), "'id' must be a slug"),
        (lambda d: d.update(adress={}), "unknown field 'adress'"),
    ],
)
def test_each_rule_names_the_problem(tmp_path, change, expected):
    problems = problems_for(tmp_path, change)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(tmp_path)) and ":" in p for p in problems)


def test_problems_point_at_the_line_of_the_bad_value(tmp_path):
    (problem,) = problems_for(tmp_path, lambda d: d["contact"].update(email="not-an-address"))
    file, line, _ = problem.split(":", 2)
    bad_line = Path(file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert "not-an-address" in bad_line


def test_opening_hours_across_midnight_are_valid_but_may_not_overlap_the_next(tmp_path):
    data = copy.deepcopy(VALID)
    data["opening_hours"] = [{"days": ["fri"], "opens": "22:00", "closes": "02:00"}]
    write_entry(tmp_path, data)
    (entry,) = load_entries(tmp_path, BIELEFELD.district_names)
    assert entry.opening_hours[0].crosses_midnight


def test_malformed_yaml_is_reported_with_its_line_and_nothing_is_loaded(tmp_path):
    write_entry(tmp_path, VALID)
    (tmp_path / "broken.yml").write_text("id: broken\ntopics: [housing\nstatus: draft\n", encoding="utf-8")
    with pytest.raises(InvalidEntries) as raised:
        load_entries(tmp_path, BIELEFELD.district_names)
    (problem,) = raised.value.problems
    assert problem.file.endswith("broken.yml") and problem.line >= 2 and "not valid YAML" in problem.message


def test_duplicate_ids_and_problems_in_several_files_are_all_reported_at_once(tmp_path):
    write_entry(tmp_path, VALID)
    write_entry(tmp_path, VALID, name="copy-of-vhs")
    bad = copy.deepcopy(VALID)
    bad.update(id="other", topics=["nothing"])
    write_entry(tmp_path, bad)
    with pytest.raises(InvalidEntries) as raised:
        load_entries(tmp_path, BIELEFELD.district_names)
    messages = [str(p) for p in raised.value.problems]
    assert any("duplicate id 'vhs-integrationskurse'" in m for m in messages)
    assert any("other.yml" in m and "'nothing'" in m for m in messages)


def test_a_file_that_is_not_utf8_is_rejected_with_a_hint(tmp_path):
    (tmp_path / "latin1.yml").write_bytes("organisation: Bürgerberatung\n".encode("latin-1"))
    with pytest.raises(InvalidEntries, match="not UTF-8 text"):
        load_entries(tmp_path, BIELEFELD.district_names)


def test_cli_validate_reports_every_problem_and_exits_non_zero(tmp_path):
    bad = copy.deepcopy(VALID)
    bad["contact"]["website"] = "example"
    bad["address"]["district"] = "Nowhere"
    write_entry(tmp_path, bad)
    result = subprocess.run([sys.executable, "-m", "knowledge", "validate", "--entries", str(tmp_path)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 1
    assert "website" in result.stderr and "district" in result.stderr
    assert "nothing was written" in result.stderr


def test_cli_validate_accepts_a_valid_directory(tmp_path):
    write_entry(tmp_path, VALID)
    result = subprocess.run([sys.executable, "-m", "knowledge", "validate", "--entries", str(tmp_path)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0 and "1 entries" in result.stdout


def test_letter_direction_marks_in_arabic_text_are_allowed(tmp_path):
    data = copy.deepcopy(VALID)
    data["translations"]["ar"]["summary"] = "اتصل على \u200e0521 000000\u200e من الساعة 8"
    write_entry(tmp_path, data)
    (entry,) = load_entries(tmp_path, BIELEFELD.district_names)
    assert "\u200e" in entry.translations["ar"].summary


def test_reading_a_source_is_enough_to_publish_and_is_not_taken_for_a_confirmation(tmp_path):
    data = copy.deepcopy(VALID)
    data.update(status="published", sources=[
        {"url": "https://example.org/old-flyer", "read_on": "2026-11-22", "dated": "2019-05", "facts": ["address"]},
        {"url": "https://example.org/page", "read_on": "2026-12-01", "dated": 2024},
    ])
    write_entry(tmp_path, data)
    (entry,) = load_entries(tmp_path, BIELEFELD.district_names)
    assert entry.status == "published" and entry.last_verified is None
    assert str(entry.stated) == "2019-05" and entry.read_on and entry.read_on.isoformat() == "2026-12-01"
    assert entry.sources[0].facts == ("address",)


def test_facts_are_as_old_as_the_oldest_dated_source_whatever_the_precision(tmp_path):
    data = copy.deepcopy(VALID)
    data.update(sources=[{"url": "https://example.org/a", "read_on": "2026-11-22", "dated": "2019-05"},
                         {"url": "https://example.org/b", "read_on": "2026-11-22", "dated": 2019}])
    write_entry(tmp_path, data)
    (entry,) = load_entries(tmp_path, BIELEFELD.district_names)
    assert str(entry.stated) == "2019"
