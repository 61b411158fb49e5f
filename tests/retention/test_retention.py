"""After the retention limit nothing that points to a newcomer is left (answers, closed cases,
mirrored messages, Telegram updates, Rasa's events), cases advisors still work on stay, and
coordinators keep their counts per topic, language, district and week. The clock is injected:
NOW is 03:30 in Berlin, and 90 days before it is 4 February 2026, a Wednesday."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from cases.store import CaseRow, CaseStore, InboxRow, MirrorRow
from devtools.scratch import migrated
from knowledge.answers import GivenAnswer, Tally, answer_statistics, log_answer, rate_answer
from retention.__main__ import main, serve
from retention.job import WeeklyCount, apply_retention, weekly_counts
from tests.conftest import BIELEFELD

NOW = datetime(2026, 5, 5, 1, 30, tzinfo=timezone.utc)
MONDAY = date(2026, 2, 2)  # of the week that straddles the limit
DAY = timedelta(days=1)


@pytest.fixture
def engine(store_url):
    engine = migrated(store_url)
    yield engine
    engine.dispose()


def answered(engine, day: date, topic: str = "housing", language: str = "uk", district: str | None = None,
             helpful: bool | None = None) -> None:
    answer_id = log_answer(engine, GivenAnswer(topic, language, district, ("wohngeld",), day))
    if helpful is not None:
        rate_answer(engine, answer_id, helpful)


def case(engine, status: str, opened_at: datetime, closed_at: datetime | None = None, topic: str | None = None) -> int:
    with Session(engine) as session, session.begin():
        row = CaseRow(sender=f"newcomer-{opened_at.isoformat()}", chat_id=42, language="ar", topic=topic,
                      priority="normal",
                      reason="request_human", status=status, opened_at=opened_at, closed_at=closed_at)
        session.add(row)
        session.flush()
        return row.id


def mirrored(engine, case_id: int, message: int, created_at: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.add(MirrorRow(case_id=case_id, direction="in", source_chat=42, source_message=message,
                              created_at=created_at))


def received(engine, update_id: int, received_at: datetime, processed_at: datetime | None) -> None:
    with Session(engine) as session, session.begin():
        session.add(InboxRow(update_id=update_id, payload={"update_id": update_id}, received_at=received_at,
                             attempts=1, processed_at=processed_at))


def test_old_answers_leave_only_their_weekly_counts_which_add_up_over_the_nightly_runs(engine):
    answered(engine, MONDAY, district="Mitte", helpful=True)
    answered(engine, MONDAY + DAY, helpful=False)
    answered(engine, MONDAY + DAY)
    answered(engine, MONDAY + 2 * DAY, helpful=True)  # on the limit: one more night
    answered(engine, NOW.date(), topic="work", language="ar")

    assert apply_retention(engine, NOW, BIELEFELD.time_zone).answers == 3
    assert answer_statistics(engine).by_topic_and_language == {("housing", "uk"): Tally(1, 1, 0),
                                                               ("work", "ar"): Tally(1, 0, 0)}
    assert apply_retention(engine, NOW + DAY, BIELEFELD.time_zone).answers == 1
    assert apply_retention(engine, NOW + DAY, BIELEFELD.time_zone).answers == 0
    assert answer_statistics(engine).by_topic_and_language == {("work", "ar"): Tally(1, 0, 0)}
    assert weekly_counts(engine) == [WeeklyCount(MONDAY, "housing", "uk", None, "answer", 3, 1, 1),
                                     WeeklyCount(MONDAY, "housing", "uk", "Mitte", "answer", 1, 1, 0)]
    columns = {column["name"] for column in sa.inspect(engine).get_columns("weekly_counts")}
    assert columns == {"id", "week", "topic", "language", "district", "kind", "count", "helpful", "not_helpful"}


def test_an_old_closed_case_goes_with_its_messages_and_is_counted_but_cases_still_worked_on_stay(engine):
    # Sunday 23:30 UTC is already Monday in Berlin: the hand-over counts in that Monday's week.
    closed = case(engine, "closed", datetime(2026, 1, 4, 23, 30, tzinfo=timezone.utc), NOW - 100 * DAY)
    still_open = case(engine, "open", NOW - 200 * DAY)
    claimed = case(engine, "claimed", NOW - 150 * DAY, topic="work")
    recently_closed = case(engine, "closed", NOW - 10 * DAY, NOW - 9 * DAY, topic="housing")
    mirrored(engine, closed, 1, NOW - 110 * DAY)
    mirrored(engine, still_open, 2, NOW - 199 * DAY)
    mirrored(engine, still_open, 3, NOW - DAY)
    mirrored(engine, recently_closed, 4, NOW - 9 * DAY)

    result = apply_retention(engine, NOW, BIELEFELD.time_zone)

    assert (result.closed_cases, result.mirrored_messages) == (1, 2)
    assert [c.id for c in CaseStore(engine).queue()] == [still_open, claimed]
    with Session(engine) as session:
        assert set(session.scalars(sa.select(CaseRow.id))) == {still_open, claimed, recently_closed}
        assert set(session.scalars(sa.select(MirrorRow.source_message))) == {3, 4}
    assert weekly_counts(engine) == [WeeklyCount(date(2026, 1, 5), "-", "ar", None, "handover", 1)]


def test_handled_telegram_updates_go_after_two_days_and_unhandled_ones_after_the_limit(engine):
    received(engine, 1, NOW - 3 * DAY, processed_at=NOW - 3 * DAY)
    received(engine, 2, NOW - DAY, processed_at=NOW - DAY)  # Telegram might still deliver it again
    received(engine, 3, NOW - 3 * DAY, processed_at=None)
    received(engine, 4, NOW - 91 * DAY, processed_at=None)

    assert apply_retention(engine, NOW, BIELEFELD.time_zone).telegram_updates == 2
    cases = CaseStore(engine)
    assert cases.is_processed(2) and not cases.is_processed(1)
    assert [update["update_id"] for update in cases.unprocessed()] == [3]


def test_rasa_events_older_than_the_limit_go_and_a_database_without_them_is_fine(engine):
    assert apply_retention(engine, NOW, BIELEFELD.time_zone).rasa_events is None
    events = sa.Table("events", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("sender_id", sa.String(255), nullable=False), sa.Column("type_name", sa.String(255)),
                      sa.Column("timestamp", sa.Float), sa.Column("intent_name", sa.String(255)),
                      sa.Column("action_name", sa.String(255)), sa.Column("data", sa.Text))
    events.create(engine)
    with engine.begin() as connection:
        connection.execute(events.insert(), [
            {"sender_id": "old", "type_name": "user", "timestamp": (NOW - 91 * DAY).timestamp(), "data": "{}"},
            {"sender_id": "recent", "type_name": "user", "timestamp": (NOW - 89 * DAY).timestamp(), "data": "{}"}])

    assert apply_retention(engine, NOW, BIELEFELD.time_zone).rasa_events == 1
    with engine.connect() as connection:
        assert connection.execute(sa.select(events.c.sender_id)).scalars().all() == ["recent"]


def test_a_limit_of_zero_days_or_a_typo_is_refused_before_the_database_is_touched(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'lotse.db'}")
    with pytest.raises(SystemExit):
        main(["run", "--days", "0"])
    assert "--days: must be a whole number of days, at least 1, not '0'" in capsys.readouterr().err
    for typo in ("ninety", "0"):
        monkeypatch.setenv("LOTSE_RETENTION_DAYS", typo)
        with pytest.raises(SystemExit, match=r"^The retention job cannot start: LOTSE_RETENTION_DAYS"):
            main(["serve"])
    assert not (tmp_path / "lotse.db").exists()


def test_run_on_a_sqlite_file_prints_what_it_folded_and_deleted(tmp_path):
    url = f"sqlite:///{tmp_path / 'lotse.db'}"
    engine = migrated(url)
    answered(engine, date(2020, 1, 8))
    answered(engine, date.today())
    done = subprocess.run([sys.executable, "-m", "retention", "run"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": url, "LOTSE_RETENTION_DAYS": "30"})
    assert done.returncode == 0, done.stderr
    assert ("keeping 30 days: folded into the weekly counts and deleted: answers 1, closed cases 0; deleted: "
            "mirrored messages 0, Telegram updates 0, Rasa events no table") in done.stdout
    assert weekly_counts(engine) == [WeeklyCount(date(2020, 1, 6), "housing", "uk", None, "answer", 1)]
    engine.dispose()


class Stopped(Exception):
    """Ends the endless `serve` loop in a test."""


def test_serve_runs_at_start_then_every_night_at_half_past_three_berlin_time_across_summer_time(tmp_path, capsys):
    engine = migrated(f"sqlite:///{tmp_path / 'lotse.db'}")
    answered(engine, date(2025, 12, 27))  # 90 days old at the first run
    answered(engine, date(2025, 12, 28))  # at the second
    now = [datetime(2026, 3, 28, 12, tzinfo=timezone.utc)]  # Saturday; summer time begins on Sunday

    def sleep(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)
        if now[0] > datetime(2026, 3, 29, 12, tzinfo=timezone.utc):
            raise Stopped

    with pytest.raises(Stopped):
        serve(engine, 90, BIELEFELD.time_zone, clock=lambda: now[0], sleep=sleep)
    runs = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in runs] == ["2026-03-28 13:00 CET", "2026-03-29 03:30 CEST"]
    assert all("answers 1," in line for line in runs)
    engine.dispose()


def test_serve_survives_a_night_the_database_is_away_and_deletes_once_it_is_back(tmp_path, capsys):
    engine = migrated(f"sqlite:///{tmp_path / 'lotse.db'}")
    answered(engine, date(2025, 12, 27))  # 90 days old at the first run
    now = [datetime(2026, 3, 28, 12, tzinfo=timezone.utc)]
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE answers RENAME TO answers_away")

    def sleep(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)
        with engine.begin() as connection:  # the database is back after the first failed run
            if sa.inspect(connection).has_table("answers_away"):
                connection.exec_driver_sql("ALTER TABLE answers_away RENAME TO answers")
        if now[0] > datetime(2026, 3, 28, 13, tzinfo=timezone.utc):
            raise Stopped

    with pytest.raises(Stopped):
        serve(engine, 90, BIELEFELD.time_zone, clock=lambda: now[0], sleep=sleep)
    assert "answers 1," in capsys.readouterr().out
    engine.dispose()


def test_the_forum_topics_of_deleted_cases_are_left_for_the_adapter_to_delete_in_telegram(engine):
    old = case(engine, "closed", NOW - 100 * DAY, NOW - 95 * DAY)
    recent = case(engine, "closed", NOW - 10 * DAY, NOW - 9 * DAY)
    still_open = case(engine, "open", NOW - 100 * DAY)
    store = CaseStore(engine)
    for case_id, thread in ((old, 501), (recent, 502), (still_open, 503)):
        store.set_thread(case_id, thread)
    apply_retention(engine, NOW, BIELEFELD.time_zone)
    apply_retention(engine, NOW + DAY, BIELEFELD.time_zone)  # queued once, however many nights it waits
    assert store.topics_to_delete() == [501]
    store.topic_deleted(501)
    assert store.topics_to_delete() == []
