"""Read and check entry files. Every problem is reported at once, as
`file:line: what is wrong and how to fix it`, and one bad file means no entries at all:
a coordinator fixes the list and tries again, the bot keeps serving the previous data."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from knowledge.entry import (
    FACTS,
    SOURCE_LANGUAGE,
    STATUSES,
    WEEKDAYS,
    Address,
    Contact,
    Geo,
    OpeningInterval,
    ServiceEntry,
    Source,
    SourceDate,
    Translation,
)
from texts import LANGUAGES, TOPICS

MAX_LENGTHS = {"title": 120, "summary": 400, "line": 200, "note": 300, "field": 200}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/-]{4,24}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_POSTCODE = re.compile(r"^[0-9]{5}$")
_SOURCE_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses a city's entries ten times faster


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InvalidEntries(Exception):
    """Raised with every problem found; nothing was loaded."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = tuple(problems)


class _Lines:
    """Line numbers of the values in a YAML document, looked up by path."""

    def __init__(self, node: yaml.Node | None) -> None:
        self._root = node

    def of(self, *path: str | int) -> int:
        node = self._root
        for step in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if k.value == step), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                child = node.value[step]
            if child is None:
                break
            node = child
        return node.start_mark.line + 1 if node is not None else 1


class _SameLine:
    """Where a whole document sits on one line (a spreadsheet row) or has no lines (a stored row)."""

    def __init__(self, line: int) -> None:
        self._line = line

    def of(self, *path: str | int) -> int:
        return self._line


class _Checker:
    """Collects the problems of one file while turning its data into an entry."""

    def __init__(self, file: str, lines: _Lines | _SameLine, districts: Sequence[str] | None) -> None:
        self.file, self.lines = file, lines
        self.problems: list[Problem] = []
        self.districts = districts  # the city's; None: any name (a stored entry, checked when it was synced)

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, self.lines.of(*path), message))

    def text(self, value: Any, path: tuple, limit: int, required: bool = True) -> str | None:
        if value is None or value == "":
            if required:
                self.problem(path, f"'{_dotted(path)}' is missing: add a text")
            return None
        if not isinstance(value, str):
            self.problem(path, f"'{_dotted(path)}' must be text, not {type(value).__name__}: put it in quotes")
            return None
        if _FORBIDDEN_CHARACTERS.search(value):
            self.problem(path, f"'{_dotted(path)}' contains invisible control or bidi characters: retype the text")
            return None
        if len(value) > limit:
            self.problem(path,
                         f"'{_dotted(path)}' has {len(value)} characters, at most {limit} are allowed: shorten it")
            return None
        return value.strip()

    def texts(self, value: Any, path: tuple, limit: int) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(path, f"'{_dotted(path)}' must be a list (lines starting with '- ')")
            return ()
        lines = []
        for i, item in enumerate(value):
            line = self.text(item, (*path, i), limit)
            if line and "\n" in line:
                self.problem((*path, i),
                             f"'{_dotted(path)}' holds one short line per item: split item {i + 1} into several")
            elif line:
                lines.append(line)
        return tuple(lines)

    def choice(self, value: Any, path: tuple, allowed: Iterable[str]) -> str | None:
        allowed = tuple(allowed)
        if value not in allowed:
            self.problem(path, f"'{_dotted(path)}' is {value!r}; use one of: {', '.join(allowed)}")
            return None
        return value

    def choices(self, value: Any, path: tuple, allowed: Iterable[str]) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.problem(path, f"'{_dotted(path)}' must be a non-empty list")
            return ()
        return tuple(c for i, item in enumerate(value) if (c := self.choice(item, (*path, i), allowed)))

    def mapping(self, value: Any, path: tuple, required: bool = False) -> dict | None:
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            self.problem(path, f"'{_dotted(path) or 'the file'}' must be a mapping of 'key: value' lines")
            return None
        return value

    def checked(self, value: Any, path: tuple, test: Callable[[str], object], what: str) -> str | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not test(value):
            self.problem(path, f"'{_dotted(path)}' is not a valid {what}: {value!r}")
            return None
        return value


# Control characters (Unicode category Cc) except line break and tab, and the bidi
# embeddings, overrides and isolates, which can make a text display differently from what it
# says. Letter marks (LRM, RLM, ZWNJ) are allowed: Arabic and Dari need them around numbers
# and inside words.
_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def is_entry_id(value: Any) -> bool:
    """A stable slug: lower-case letters, digits and single hyphens."""
    return isinstance(value, str) and bool(_ID.match(value))


def _dotted(path: tuple) -> str:
    return ".".join(str(step) for step in path)


def _is_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in {"http", "https"} and "." in parsed.netloc and " " not in value


def _is_phone(value: str) -> bool:
    return bool(_PHONE.match(value)) and sum(c.isdigit() for c in value) >= 6


def _parse_time(check: _Checker, value: Any, path: tuple) -> time | None:
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        check.problem(path, f"'{_dotted(path)}' must be a time like \"08:30\" (in quotes, 00:00–23:59), not {value!r}")
        return None
    return time(int(match[1]), int(match[2]))


def _opening_hours(check: _Checker, value: Any) -> tuple[OpeningInterval, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        check.problem(("opening_hours",), "'opening_hours' must be a list of {days, opens, closes}")
        return ()
    intervals: list[tuple[OpeningInterval, int]] = []
    for i, item in enumerate(value):
        path = ("opening_hours", i)
        if check.mapping(item, path, required=True) is None:
            continue
        days = check.choices(item.get("days"), (*path, "days"), WEEKDAYS)
        opens = _parse_time(check, item.get("opens"), (*path, "opens"))
        closes = _parse_time(check, item.get("closes"), (*path, "closes"))
        if opens is None or closes is None:
            continue
        if opens == closes:
            check.problem(path, "opens and closes at the same time: correct one of them")
            continue
        intervals += [(OpeningInterval(day, opens, closes), i) for day in days]
    for (first, i), (second, j) in _pairs(intervals):
        if first.weekday == second.weekday and _overlap(first, second):
            check.problem(("opening_hours", j),
                          f"overlaps with opening_hours item {i + 1} on {first.weekday}: merge or correct them")
    # one order however the items were grouped, so equal hours make equal entries
    return tuple(sorted((interval for interval, _ in intervals), key=lambda i: (WEEKDAYS.index(i.weekday), i.opens)))


def _pairs(items: list) -> Iterable[tuple]:
    return ((items[a], items[b]) for a in range(len(items)) for b in range(a + 1, len(items)))


def _minutes(interval: OpeningInterval) -> tuple[int, int]:
    start = interval.opens.hour * 60 + interval.opens.minute
    end = interval.closes.hour * 60 + interval.closes.minute
    return start, end + (24 * 60 if interval.crosses_midnight else 0)


def _overlap(first: OpeningInterval, second: OpeningInterval) -> bool:
    (a_start, a_end), (b_start, b_end) = _minutes(first), _minutes(second)
    return a_start < b_end and b_start < a_end


def _translation(check: _Checker, value: Any, language: str) -> Translation | None:
    path = ("translations", language)
    if check.mapping(value, path, required=True) is None:
        return None
    title = check.text(value.get("title"), (*path, "title"), MAX_LENGTHS["title"])
    summary = check.text(value.get("summary"), (*path, "summary"), MAX_LENGTHS["summary"])
    source_hash = value.get("source_hash")
    if language != SOURCE_LANGUAGE and source_hash is None:
        check.problem(path, f"'{_dotted(path)}.source_hash' is missing: copy the German text's current hash "
                      "from `python -m knowledge report` once the translation is done")
    elif language != SOURCE_LANGUAGE and not isinstance(source_hash, str):
        check.problem((*path, "source_hash"), f"'{_dotted(path)}.source_hash' must be in quotes, "
                      f"like source_hash: \"{source_hash}\"")
    if title is None or summary is None:
        return None
    return Translation(
        title=title,
        summary=summary,
        offers=check.texts(value.get("offers"), (*path, "offers"), MAX_LENGTHS["line"]),
        keywords=check.texts(value.get("keywords"), (*path, "keywords"), MAX_LENGTHS["line"]),
        hours_note=check.text(value.get("hours_note"), (*path, "hours_note"), MAX_LENGTHS["note"], required=False),
        appointment_info=check.text(value.get("appointment_info"), (*path, "appointment_info"),
                                    MAX_LENGTHS["note"], required=False),
        cost=check.text(value.get("cost"), (*path, "cost"), MAX_LENGTHS["field"], required=False),
        source_hash=source_hash if language != SOURCE_LANGUAGE else None,
    )


def entry_from_data(data: Any, check: _Checker) -> ServiceEntry | None:
    """Turn one document into an entry, recording every problem in `check`."""
    if check.mapping(data, (), required=True) is None:
        return None
    entry_id = data.get("id")
    if not is_entry_id(entry_id):
        check.problem(("id",), f"'id' must be a slug of lower-case letters, digits and hyphens, not {entry_id!r}")
    unknown = sorted(set(data) - _KNOWN_KEYS - {"source"})  # the old 'source' gets a message of its own
    for key in unknown:
        check.problem((key,), f"unknown field '{key}': check the spelling (known: {', '.join(sorted(_KNOWN_KEYS))})")

    translations_data = check.mapping(data.get("translations"), ("translations",), required=True) or {}
    for language in sorted(set(translations_data) - set(LANGUAGES)):
        check.problem(("translations", language), f"unknown language '{language}': use one of {', '.join(LANGUAGES)}")
    if SOURCE_LANGUAGE not in translations_data:
        check.problem(("translations",), "the German text ('translations.de') is missing: it is the source")
    translations = {
        language: t for language in LANGUAGES
        if language in translations_data and (t := _translation(check, translations_data[language], language))
    }

    address = None
    address_data = check.mapping(data.get("address"), ("address",))
    if address_data is not None:
        street = check.text(address_data.get("street"), ("address", "street"), MAX_LENGTHS["field"], required=False)
        postcode = check.checked(str(address_data.get("postcode") or ""), ("address", "postcode"),
                                 _POSTCODE.match, "German postcode (five digits)")
        city = check.text(address_data.get("city"), ("address", "city"), MAX_LENGTHS["field"])
        district = address_data.get("district")
        if district is not None:
            district = (check.choice(district, ("address", "district"), check.districts) if check.districts is not None
                        else check.text(district, ("address", "district"), 100))
        address = Address(street or "", postcode or "", city or "", district)

    geo = None
    geo_data = check.mapping(data.get("geo"), ("geo",))
    if geo_data is not None:
        lat, lon = geo_data.get("lat"), geo_data.get("lon")
        if not (isinstance(lat, (int, float)) and -90 <= lat <= 90
                and isinstance(lon, (int, float)) and -180 <= lon <= 180):
            check.problem(("geo",), "'geo' needs numbers lat (-90..90) and lon (-180..180)")
        else:
            geo = Geo(float(lat), float(lon))

    contact_data = check.mapping(data.get("contact"), ("contact",)) or {}
    contact = Contact(
        phone=check.checked(contact_data.get("phone"), ("contact", "phone"), _is_phone,
                            "phone number (digits, +, spaces, / or -)"),
        email=check.checked(contact_data.get("email"), ("contact", "email"), _EMAIL.match, "e-mail address"),
        website=check.checked(contact_data.get("website"), ("contact", "website"), _is_url,
                              "web address (http:// or https://)"),
    )

    appointment_required = data.get("appointment_required")
    if appointment_required is not None and not isinstance(appointment_required, bool):
        check.problem(("appointment_required",), "'appointment_required' must be true or false")
        appointment_required = None

    if "source" in data:
        check.problem(("source",), "'source' is now 'sources': a list of {url, read_on, dated, facts} "
                      "(see knowledge/template.yml)")

    entry = ServiceEntry(
        id=entry_id if isinstance(entry_id, str) else "",
        status=check.choice(data.get("status", "draft"), ("status",), STATUSES) or "draft",
        topics=check.choices(data.get("topics"), ("topics",), TOPICS),
        organisation=check.text(data.get("organisation"), ("organisation",), MAX_LENGTHS["field"]) or "",
        translations=translations,
        address=address,
        geo=geo,
        opening_hours=_opening_hours(check, data.get("opening_hours")),
        appointment_required=appointment_required,
        contact=contact,
        languages_spoken=check.texts(data.get("languages_spoken"), ("languages_spoken",), 40),
        target_groups=check.texts(data.get("target_groups"), ("target_groups",), 80),
        sources=_sources(check, data.get("sources")),
        last_verified=_day(check, data.get("last_verified"), ("last_verified",)),
    )
    if entry.status == "published" and not entry.sourced:
        check.problem(("status",), "a published entry needs a source and the day it was read "
                      "('sources: - url: … read_on: …'); keep it 'draft' until then")
    return entry


def _day(check: _Checker, value: Any, path: tuple) -> date | None:
    """A past or present day, from YAML or from the text stored documents and spreadsheets carry."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    if value is None or value == "":
        return None
    if not isinstance(value, date):
        check.problem(path, f"'{_dotted(path)}' must be a date like 2026-11-21, not {value!r}")
        return None
    if value > date.today():
        check.problem(path, f"'{_dotted(path)}' ({value}) is in the future")
        return None
    return value


def _source_date(check: _Checker, value: Any, path: tuple) -> SourceDate | None:
    """The source's own date: 2019, "2019-05" or 2019-05-03, as precise as the source is."""
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    match = _SOURCE_DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        dated = SourceDate(int(match[1]), int(match[2]) if match[2] else None, int(match[3]) if match[3] else None)
        dated.earliest  # noqa: B018 - raises ValueError for a month or day that does not exist
    except ValueError:
        check.problem(path, f"'{_dotted(path)}' must be the source's date as 2019, \"2019-05\" or 2019-05-03, "
                      f"not {value!r}")
        return None
    if dated.earliest > date.today():
        check.problem(path, f"'{_dotted(path)}' ({dated}) is in the future")
        return None
    return dated


def _sources(check: _Checker, value: Any) -> tuple[Source, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        check.problem(("sources",), "'sources' must be a list of {url, read_on, dated, facts}")
        return ()
    sources = []
    for i, item in enumerate(value):
        path = ("sources", i)
        if check.mapping(item, path, required=True) is None:
            continue
        if not any(item.values()):  # the new-entry form's empty line
            continue
        for key in sorted(set(item) - {"url", "read_on", "dated", "facts"}):
            check.problem((*path, key), f"unknown field '{key}' in a source (known: url, read_on, dated, facts)")
        url = check.text(item.get("url"), (*path, "url"), 500)
        read_on = _day(check, item.get("read_on"), (*path, "read_on"))
        dated = _source_date(check, item.get("dated"), (*path, "dated"))
        facts = check.choices(item.get("facts"), (*path, "facts"), FACTS) if item.get("facts") is not None else ()
        if url:
            sources.append(Source(url, read_on, dated, facts))
    return tuple(sources)


_KNOWN_KEYS = {
    "id", "status", "topics", "organisation", "translations", "address", "geo", "opening_hours",
    "appointment_required", "contact", "languages_spoken", "target_groups", "sources", "last_verified",
}


def check_document(document: Any, file: str, districts: Sequence[str] | None,
                   line: int = 1) -> tuple[ServiceEntry | None, list[Problem]]:
    """An already parsed document (a spreadsheet row, a stored row) as an entry, or its
    problems, all pointing at `line`; a district must be one of `districts` (None: any)."""
    check = _Checker(file, _SameLine(line), districts)
    entry = entry_from_data(document, check)
    return (entry if not check.problems else None), check.problems


def entry_from_document(document: dict, origin: str) -> ServiceEntry:
    entry, problems = check_document(document, origin, None)
    if entry is None:
        raise InvalidEntries(problems)
    return entry


def load_entry_file(path: Path, districts: Sequence[str]) -> tuple[ServiceEntry | None, Any, list[Problem]]:
    """One file: its entry (None if unusable), its parsed document and its problems; a
    district must be one of the city's `districts`."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        return None, None, [Problem(name, 1,
                                    f"not UTF-8 text ({error.reason} at byte {error.start}): save it as UTF-8")]
    loader = _SafeLoader(text)
    try:  # one parse gives both the node tree (for line numbers) and the data
        node = loader.get_single_node()
        if _has_alias(node):
            return None, None, [_alias_problem(name, text)]
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, None, [Problem(name, line, f"not valid YAML: {getattr(error, 'problem', error)}")]
    finally:
        loader.dispose()
    check = _Checker(name, _Lines(node), districts)
    entry = entry_from_data(data, check)
    return (entry if not check.problems else None), data, check.problems


def _has_alias(node: yaml.Node | None) -> bool:
    """Whether the document uses an alias (`*name`). Entries need none, and a few nested ones
    make billions of values ("billion laughs"). An alias is the only way a node gets into the
    tree twice; the walk stops at the first such node, so a bomb costs no more than its text."""
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return True
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for pair in current.value:
                stack.extend(pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return False


def _alias_problem(name: str, text: str) -> Problem:
    """The first alias's line, from the parser's events (read only for a file that has one)."""
    alias = next(event for event in yaml.parse(text, Loader=_SafeLoader) if isinstance(event, yaml.AliasEvent))
    return Problem(name, alias.start_mark.line + 1 if alias.start_mark else 1,
                   f"uses the alias '*{alias.anchor}': entry files may not use anchors (&) and aliases (*), "
                   "as a few nested ones make billions of values; write each value out in full")


def load_documents(directory: Path, districts: Sequence[str]) -> list[tuple[ServiceEntry, dict]]:
    """Every entry of a directory with the document it was read from, or InvalidEntries
    with every problem of every file; a district must be one of the city's `districts`."""
    loaded: list[tuple[ServiceEntry, dict]] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        entry, document, file_problems = load_entry_file(path, districts)
        problems += file_problems
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(Problem(str(path), 1, f"duplicate id '{entry.id}', also used in {seen[entry.id]}"))
            continue
        seen[entry.id] = path.name
        loaded.append((entry, document))
    if problems:
        raise InvalidEntries(sorted(problems, key=lambda p: (p.file, p.line)))
    return loaded


def load_entries(directory: Path, districts: Sequence[str]) -> list[ServiceEntry]:
    return [entry for entry, _ in load_documents(directory, districts)]
