"""The spreadsheet round-trip: coordinators export all entries to one CSV file, edit it in
LibreOffice or Excel, and import it back. One row per entry; the column names are the
field paths the validator's messages use (`address.postcode`, `translations.ar.title`).
Lists sit one item per line inside a cell. Import reads UTF-8 with or without BOM and
comma, semicolon or tab as separator (what German spreadsheet programs write), checks every
row like `validate`, and writes nothing unless the whole file is valid. A cell that a
spreadsheet program would run as a formula gets a leading quote on export, which import
takes off again."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from knowledge.entry import SOURCE_LANGUAGE, WEEKDAYS, OpeningInterval, ServiceEntry, Source
from knowledge.hours import parse_days
from knowledge.validation import InvalidEntries, Problem, check_document, load_documents, load_entry_file
from texts import LANGUAGES

ENTRY_COLUMNS = (
    "id", "status", "topics", "organisation", "address.street", "address.postcode", "address.city",
    "address.district", "geo.lat", "geo.lon", "opening_hours", "appointment_required", "contact.phone",
    "contact.email", "contact.website", "languages_spoken", "target_groups", "sources", "last_verified",
)
TEXT_FIELDS = ("title", "summary", "offers", "keywords", "hours_note", "appointment_info", "cost", "source_hash")
LIST_FIELDS = {"topics", "languages_spoken", "target_groups", "offers", "keywords"}
COLUMNS = ENTRY_COLUMNS + tuple(
    f"translations.{language}.{field}"
    for language in LANGUAGES for field in TEXT_FIELDS
    if not (language == SOURCE_LANGUAGE and field == "source_hash")
)
_HOURS_LINE = re.compile(r"^\s*(?P<days>[a-z ,\-]+?)\s+(?P<opens>\S+)\s*-\s*(?P<closes>\S+)\s*$")
_TRUE, _FALSE = {"true", "yes", "ja", "wahr"}, {"false", "no", "nein", "falsch"}
# What Excel and LibreOffice may take for the start of a formula (OWASP: "CSV injection").
FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ImportResult:
    written: int
    unchanged: int


# ---- export -------------------------------------------------------------------------

def export_csv(directory: Path, target: Path, districts: Sequence[str]) -> int:
    """Write every entry of `directory` to `target` (UTF-8 with BOM, so Excel reads it right)."""
    entries = sorted((entry for entry, _ in load_documents(directory, districts)), key=lambda e: e.id)
    with target.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(row_from_entry(entry) for entry in entries)
    return len(entries)


def row_from_entry(entry: ServiceEntry) -> dict[str, str]:
    address, contact = entry.address, entry.contact
    row = {
        "id": entry.id,
        "status": entry.status,
        "topics": _lines(entry.topics),
        "organisation": entry.organisation,
        "address.street": address.street if address else "",
        "address.postcode": address.postcode if address else "",
        "address.city": address.city if address else "",
        "address.district": (address.district or "") if address else "",
        "geo.lat": repr(entry.geo.lat) if entry.geo else "",
        "geo.lon": repr(entry.geo.lon) if entry.geo else "",
        "opening_hours": hours_text(entry.opening_hours),
        "appointment_required": "" if entry.appointment_required is None else str(entry.appointment_required).lower(),
        "contact.phone": contact.phone or "",
        "contact.email": contact.email or "",
        "contact.website": contact.website or "",
        "languages_spoken": _lines(entry.languages_spoken),
        "target_groups": _lines(entry.target_groups),
        "sources": sources_text(entry.sources),
        "last_verified": entry.last_verified.isoformat() if entry.last_verified else "",
    }
    for language, texts in entry.translations.items():
        for field in TEXT_FIELDS:
            value = getattr(texts, field)
            if f"translations.{language}.{field}" in COLUMNS:
                row[f"translations.{language}.{field}"] = _lines(value) if field in LIST_FIELDS else (value or "")
    return {column: guard_cell(row.get(column, "")) for column in COLUMNS}


def guard_cell(text: str) -> str:
    """The cell for `text`, shown as text and never run as a formula by a spreadsheet program
    (a coordinator's file may hold what anyone wrote into an entry): a leading quote before a
    formula sign, as OWASP recommends. Text already starting with quotes before a formula
    sign gets one more, so that `unguard_cell` gives back every text unchanged."""
    return f"'{text}" if text.lstrip("'").startswith(FORMULA_SIGNS) else text


def unguard_cell(cell: str) -> str:
    """The text of a cell `guard_cell` wrote, or that a coordinator marked as text with a quote."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_SIGNS) else cell


def _lines(items: Iterable[str]) -> str:
    return "\n".join(items)


def hours_text(intervals: Iterable[OpeningInterval]) -> str:
    """One line per time span with its days, e.g. "mon-fri 08:00-12:00"."""
    days_by_span: dict[tuple, list[int]] = {}
    for interval in intervals:
        days_by_span.setdefault((interval.opens, interval.closes), []).append(WEEKDAYS.index(interval.weekday))
    return _lines(f"{_day_ranges(sorted(days))} {opens:%H:%M}-{closes:%H:%M}"
                  for (opens, closes), days in sorted(days_by_span.items(), key=lambda item: (min(item[1]), item[0])))


def sources_text(sources: Iterable[Source]) -> str:
    """One line per source: "URL | read 2026-11-22 | dated 2019-05 | facts address, phone"."""
    def line(source: Source) -> str:
        parts = [source.url]
        if source.read_on:
            parts.append(f"read {source.read_on.isoformat()}")
        if source.dated:
            parts.append(f"dated {source.dated}")
        if source.facts:
            parts.append(f"facts {', '.join(source.facts)}")
        return " | ".join(parts)
    return _lines(line(source) for source in sources)


def _day_ranges(days: list[int]) -> str:
    ranges: list[list[int]] = []
    for day in days:
        if ranges and day == ranges[-1][-1] + 1:
            ranges[-1].append(day)
        else:
            ranges.append([day])
    return ",".join(WEEKDAYS[r[0]] if len(r) == 1 else f"{WEEKDAYS[r[0]]}-{WEEKDAYS[r[-1]]}" for r in ranges)


# ---- import -------------------------------------------------------------------------

def import_csv(source: Path, directory: Path, districts: Sequence[str]) -> ImportResult:
    """Check every row of `source`; if all are valid, write one entry file per row into
    `directory` (files whose entry did not change are left as they are, comments and all).
    Otherwise raise InvalidEntries with every problem and write nothing."""
    name = str(source)
    documents, problems = [], []
    seen: dict[str, int] = {}
    for line, row in read_rows(source):
        document, row_problems = document_from_row(row, name, line)
        entry, entry_problems = check_document(document, name, districts, line)
        problems += row_problems + entry_problems
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(Problem(name, line, f"duplicate id '{entry.id}', also in the row on line {seen[entry.id]}"))
            continue
        seen[entry.id] = line
        documents.append((entry, document))
    if problems:
        raise InvalidEntries(problems)

    directory.mkdir(parents=True, exist_ok=True)
    existing = {entry.id: (entry, path) for path in sorted(directory.glob("*.yml"))
                if (entry := load_entry_file(path, districts)[0]) is not None}
    written = 0
    for entry, document in documents:
        stored, path = existing.get(entry.id, (None, directory / f"{entry.id}.yml"))
        if stored != entry:
            _write_atomically(path, yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
            written += 1
    return ImportResult(written, len(documents) - written)


def read_rows(source: Path) -> list[tuple[int, dict[str, str]]]:
    """The data rows with the line each starts on; InvalidEntries for a file that is not
    UTF-8 or whose header lacks or adds columns."""
    name, raw = str(source), source.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise InvalidEntries([Problem(name, line, "not UTF-8 text: save it again as CSV with the character set "
                                                  "'Unicode (UTF-8)' (Excel: 'CSV UTF-8')")]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if first_line.startswith(f"id{d}")), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        what = "; ".join(filter(None, [
            f"missing columns: {', '.join(missing)}" if missing else "",
            f"unknown columns: {', '.join(unknown)}" if unknown else "",
            "a column appears twice" if len(set(header)) != len(header) else "",
        ]))
        raise InvalidEntries([Problem(name, 1,
                                      f"{what}: start from a file made by `python -m knowledge export --csv`")])
    rows, line = [], reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            if len(cells) > len(header):
                raise InvalidEntries([Problem(name, line, f"{len(cells)} cells but {len(header)} columns: "
                                                          "a cell holds an unquoted separator")])
            rows.append((line, dict(zip(header, cells, strict=False))))
        line = reader.line_num + 1
    return rows


def document_from_row(row: dict[str, str], file: str, line: int) -> tuple[dict[str, Any], list[Problem]]:
    """The entry document a row describes (the shape of an entry file), plus the problems
    of cells the validator cannot see (hours lines, numbers, dates, yes/no)."""
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(Problem(file, line, message))

    document: dict[str, Any] = {}
    for column in COLUMNS:
        value: Any = unguard_cell(row.get(column, "")).strip()
        if not value:
            continue
        *parents, field = column.split(".")
        if column == "opening_hours":
            value = _hours_from_text(value, problem)
        elif column in ("geo.lat", "geo.lon"):
            value = _number(value, column, problem)
        elif column == "appointment_required":
            value = True if value.lower() in _TRUE else False if value.lower() in _FALSE else value
        elif column == "last_verified":
            value = _date(value)
        elif column == "sources":
            value = _sources_from_text(value, problem)
        elif field in LIST_FIELDS:
            value = [item.strip() for item in value.splitlines() if item.strip()]
        target = document
        for parent in parents:
            target = target.setdefault(parent, {})
        target[field] = value
    return document, problems


def _hours_from_text(text: str, problem) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for number, hours_line in enumerate(text.splitlines(), start=1):
        if not hours_line.strip():
            continue
        match = _HOURS_LINE.match(hours_line.lower())
        days = parse_days(match["days"]) if match else None
        if not match or not days:
            problem(f"opening_hours line {number} ({hours_line.strip()!r}) must look like \"mon-fri 08:00-12:00\"")
            continue
        items.append({"days": days, "opens": match["opens"], "closes": match["closes"]})
    return items


def _sources_from_text(text: str, problem) -> list[dict[str, Any]]:
    sources: list[dict[str, Any]] = []
    for number, source_line in enumerate(text.splitlines(), start=1):
        url, *details = (part.strip() for part in source_line.split("|"))
        if not url:
            continue
        source: dict[str, Any] = {"url": url}
        for detail in details:
            name, _, value = detail.partition(" ")
            if name == "read":
                source["read_on"] = _date(value.strip())
            elif name == "dated":
                source["dated"] = value.strip()
            elif name == "facts":
                source["facts"] = [fact.strip() for fact in value.split(",") if fact.strip()]
            else:
                problem(f"sources line {number}: {detail!r} must be \"read 2026-11-22\", \"dated 2019-05\" "
                        "or \"facts address, phone\"")
        sources.append(source)
    return sources


def _number(text: str, column: str, problem) -> float | None:
    try:  # German spreadsheets write a decimal comma
        return float(text.replace(",", "."))
    except ValueError:
        problem(f"'{column}' must be a number like 52.0211, not {text!r}")
        return None


def _date(text: str) -> date | str:
    """ISO dates, and the day.month.year form German spreadsheets turn them into."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return text  # the validator explains the expected form


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)
