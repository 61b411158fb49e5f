"""What coordinators still have to do: per entry and language, missing and outdated
translations; facts never confirmed with the office or confirmed more than 180 days ago (the
entries ranked by the age of their facts, oldest and unknown first, and the published ones
listed with the number to call); entries without contact or opening hours; and how the
answers fared: how often each topic was asked in each language and which answers newcomers
rated 👍 or 👎. Shown as terminal tables and written as an HTML page under reports/."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from knowledge.answers import AnswerStatistics, Tally
from knowledge.entry import (
    SOURCE_LANGUAGE,
    VERIFY_EVERY,
    ServiceEntry,
    SourceDate,
    TranslationStatus,
    facts_since,
    source_text_hash,
    verification_due,
)
from texts import LANGUAGES


@dataclass(frozen=True)
class EntryReport:
    id: str
    status: str
    organisation: str
    translations: Mapping[str, TranslationStatus]
    last_verified: date | None
    stated: SourceDate | None
    facts_since: date | None
    verification_due: bool
    phone: str | None
    has_contact: bool
    has_hours: bool
    german_hash: str  # what a finished translation's `source_hash` must be

    @property
    def facts_age(self) -> str:
        """Where the facts' date comes from, in words: confirmed, the source's date, or unknown."""
        if self.last_verified is not None:
            return f"confirmed {self.last_verified}"
        return f"source dated {self.stated}" if self.stated else "unknown (no source gives a date)"

    @property
    def to_do(self) -> list[str]:
        """The gaps, in words a coordinator acts on."""
        gaps = [f"{language}: {status.value} translation" for language, status in self.translations.items()
                if status is not TranslationStatus.CURRENT]
        if self.verification_due:
            gaps.append("never confirmed with the office" if self.last_verified is None
                        else f"confirmed {self.last_verified}, more than {VERIFY_EVERY.days} days ago")
        if not self.has_contact:
            gaps.append("no phone, e-mail or website")
        if not self.has_hours:
            gaps.append("no opening hours")
        return gaps


def build_report(entries: Sequence[ServiceEntry], today: date) -> list[EntryReport]:
    """One report per entry, the oldest facts first; facts of unknown age come before all."""
    reports = [
        EntryReport(
            id=entry.id,
            status=entry.status,
            organisation=entry.organisation,
            translations={language: entry.translation_status(language) for language in LANGUAGES
                          if language != SOURCE_LANGUAGE},
            last_verified=entry.last_verified,
            stated=entry.stated,
            facts_since=facts_since(entry),
            verification_due=verification_due(entry, today),
            phone=entry.contact.phone,
            has_contact=any((entry.contact.phone, entry.contact.email, entry.contact.website)),
            has_hours=bool(entry.opening_hours),
            german_hash=source_text_hash(entry.translations[SOURCE_LANGUAGE]),
        )
        for entry in entries
    ]
    return sorted(reports, key=lambda r: (r.facts_since is not None, r.facts_since or date.min, r.id))


def phone_calls(reports: Sequence[EntryReport]) -> list[EntryReport]:
    """The published entries whose facts a person should confirm with the office, in report order."""
    return [r for r in reports if r.status == "published" and r.verification_due]


_MARK = {TranslationStatus.CURRENT: "ok", TranslationStatus.OUTDATED: "OUTDATED", TranslationStatus.MISSING: "MISSING"}


def _columns(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _feedback_rows(statistics: AnswerStatistics) -> tuple[list[str], list[list[object]], list[list[object]]]:
    """Per topic and language, then per entry with a 👎: answers, 👍, 👎."""
    def counts(tally: Tally) -> list[object]:
        return [tally.answers, tally.helpful, tally.not_helpful]

    groups = [[topic, language, *counts(t)] for (topic, language), t in statistics.by_topic_and_language.items()]
    disliked = [[entry_id, "", *counts(t)] for entry_id, t in sorted(
        ((entry_id, t) for entry_id, t in statistics.by_entry.items() if t.not_helpful),
        key=lambda item: -item[1].not_helpful)]
    return ["topic / entry", "language", "answers", "helped", "did not help"], groups, disliked


def terminal_table(reports: Sequence[EntryReport], statistics: AnswerStatistics) -> str:
    languages = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
    header = ["id", "status", *languages, "facts as of", "contact", "hours", "de hash"]
    rows = [[
        r.id, r.status, *(_MARK[r.translations[language]] for language in languages),
        ("DUE " if r.verification_due else "") + r.facts_age,
        "yes" if r.has_contact else "NONE", "yes" if r.has_hours else "NONE", r.german_hash,
    ] for r in reports]
    lines = _columns(header, rows)
    complete = sum(not r.to_do for r in reports)
    lines.append(f"\n{len(reports)} entries (oldest facts first), {complete} complete, "
                 f"{len(reports) - complete} with something to do.")
    calls = phone_calls(reports)
    lines.append(f"\nPublished entries to confirm with the office ({len(calls)}):")
    lines += _columns(["id", "call", "facts as of"], [[r.id, r.phone or "no phone: write or visit", r.facts_age]
                                                     for r in calls]) if calls else ["none"]
    header, groups, disliked = _feedback_rows(statistics)
    lines.append("\nAnswers given and how newcomers rated them:")
    lines += _columns(header, groups + disliked) if groups else ["no answers yet"]
    return "\n".join(lines)


def html_page(reports: Sequence[EntryReport], today: date, statistics: AnswerStatistics) -> str:
    """A self-contained page (no scripts, no external files) a coordinator opens in a browser."""
    languages = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]

    def cell(text: str, state: str = "") -> str:
        return f'<td class="{state}">{html.escape(text)}</td>'

    rows = []
    for r in reports:
        rows.append("<tr>" + "".join([
            cell(r.id), cell(r.organisation), cell(r.status),
            *(cell(_MARK[r.translations[language]].lower(), r.translations[language].value) for language in languages),
            cell(r.facts_age, "due" if r.verification_due else "current"),
            cell("yes" if r.has_contact else "none", "current" if r.has_contact else "missing"),
            cell("yes" if r.has_hours else "none", "current" if r.has_hours else "missing"),
            f"<td><code>{html.escape(r.german_hash)}</code></td>",
            cell("; ".join(r.to_do) or "nothing"),
        ]) + "</tr>")
    headers = ["id", "organisation", "status", *languages, "facts as of", "contact", "hours",
               "German hash (for source_hash)", "to do"]
    complete = sum(not r.to_do for r in reports)
    call_rows = "\n".join("<tr>" + cell(r.id) + cell(r.organisation) + cell(r.phone or "no phone: write or visit")
                          + cell(r.facts_age) + "</tr>" for r in phone_calls(reports))
    feedback_header, groups, disliked = _feedback_rows(statistics)
    feedback_rows = "\n".join("<tr>" + "".join(cell(str(value)) for value in row) + "</tr>"
                              for row in groups + disliked)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lotse knowledge base: what to do</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }}
.missing, .due {{ background: #fdd; }} .outdated {{ background: #ffe9b3; }} .current {{ background: #e6f4e6; }}
</style></head><body>
<h1>Lotse knowledge base: what to do</h1>
<p>{len(reports)} entries on {today}, the oldest facts first: {complete} complete,
{len(reports) - complete} with something to do. Translations are outdated when the German text
changed after they were made. Reading a web page is not confirming a fact: facts are due for a
phone call until a person confirmed them with the office, and again {VERIFY_EVERY.days} days later.</p>
<table><thead><tr>{"".join(f"<th>{html.escape(h)}</th>" for h in headers)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<h2>Published entries to confirm with the office</h2>
<table><thead><tr><th>id</th><th>organisation</th><th>call</th><th>facts as of</th></tr></thead>
<tbody>
{call_rows}
</tbody></table>
<h2>Answers given and how newcomers rated them</h2>
<p>Per topic and language, then every entry that was part of an answer rated as not helpful.
Nothing here points to a person.</p>
<table><thead><tr>{"".join(f"<th>{html.escape(h)}</th>" for h in feedback_header)}</tr></thead>
<tbody>
{feedback_rows}
</tbody></table></body></html>
"""
