"""Coordinators see which topics are asked in which language and which answers did not
help, and nothing that points to a person."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devtools.scratch import migrated
from knowledge.answers import GivenAnswer, Tally, answer_statistics, log_answer, rate_answer
from knowledge.report import html_page, terminal_table


def answer(topic: str, language: str, *entry_ids: str, day: date = date(2026, 11, 22)) -> GivenAnswer:
    return GivenAnswer(topic=topic, language=language, district=None, entry_ids=entry_ids, day=day)


def test_ratings_are_counted_per_topic_language_and_entry_and_the_last_press_counts(store_url):
    engine = migrated(store_url)
    first = log_answer(engine, answer("residence", "uk", "auslaenderbehoerde", "buergerberatung"))
    second = log_answer(engine, answer("residence", "uk", "auslaenderbehoerde"))
    log_answer(engine, answer("work", "ar", "jobcenter"))
    assert rate_answer(engine, first, helpful=True)
    assert rate_answer(engine, second, helpful=True) and rate_answer(engine, second, helpful=False)
    assert not rate_answer(engine, "unknown", helpful=True)
    statistics = answer_statistics(engine)
    assert statistics.by_topic_and_language == {("residence", "uk"): Tally(2, 1, 1), ("work", "ar"): Tally(1, 0, 0)}
    assert statistics.by_entry["auslaenderbehoerde"] == Tally(2, 1, 1)
    assert statistics.by_entry["buergerberatung"] == Tally(1, 1, 0)
    with engine.connect() as connection:
        columns = {column["name"] for column in sa.inspect(connection).get_columns("answers")}
    assert columns == {"id", "day", "topic", "language", "district", "entry_ids", "helpful"}
    engine.dispose()


def test_the_report_lists_the_ratings_and_the_entries_that_did_not_help(tmp_path):
    engine = migrated(f"sqlite:///{tmp_path / 'lotse.db'}")
    old = log_answer(engine, answer("housing", "prs", "wohngeld", day=date(2026, 1, 5)))
    rate_answer(engine, old, helpful=False)
    rate_answer(engine, log_answer(engine, answer("housing", "prs", "mieterbund")), helpful=False)
    assert answer_statistics(engine, since=date(2026, 6, 1)).by_topic_and_language == {
        ("housing", "prs"): Tally(1, 0, 1)}
    statistics = answer_statistics(engine)
    table = terminal_table([], statistics)
    assert "housing        prs       2        0       2" in table
    assert "wohngeld" in table and "mieterbund" in table
    page = html_page([], date(2026, 11, 22), statistics)
    assert ">mieterbund</td>" in page and "did not help" in page
    engine.dispose()
