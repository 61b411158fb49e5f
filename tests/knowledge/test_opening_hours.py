"""'Open now' and 'opens Tuesday 8:00' must be right in Bielefeld time, on holidays and
across midnight and the summer-time change."""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from knowledge.entry import OpeningInterval, ServiceEntry, Translation
from knowledge.hours import is_open, next_opening
from tests.conftest import BIELEFELD


def office(*intervals: tuple[str, str, str]) -> ServiceEntry:
    return ServiceEntry(
        id="office", status="draft", topics=("residence",), organisation="Example",
        translations={"de": Translation(title="Amt", summary="Ein Amt.")},
        opening_hours=tuple(
            OpeningInterval(day, time.fromisoformat(opens), time.fromisoformat(closes))
            for day, opens, closes in intervals
        ),
    )


WEEKDAY_MORNINGS = office(("mon", "08:00", "12:00"), ("tue", "08:00", "12:00"), ("thu", "14:00", "18:00"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BIELEFELD.time_zone)


def test_open_inside_the_hours_and_closed_outside():
    assert is_open(WEEKDAY_MORNINGS, at("2026-11-23 09:30"), BIELEFELD) is True  # Monday
    assert is_open(WEEKDAY_MORNINGS, at("2026-11-23 12:00"), BIELEFELD) is False  # closing time itself
    assert is_open(WEEKDAY_MORNINGS, at("2026-11-25 09:30"), BIELEFELD) is False  # Wednesday


def test_a_time_given_in_utc_is_read_as_bielefeld_time():
    # 07:30 UTC is 08:30 in Bielefeld in November (CET, UTC+1).
    assert is_open(WEEKDAY_MORNINGS, datetime(2026, 11, 23, 7, 30, tzinfo=timezone.utc), BIELEFELD) is True
    assert is_open(WEEKDAY_MORNINGS, datetime(2026, 11, 23, 6, 30, tzinfo=timezone.utc), BIELEFELD) is False


def test_summer_time_shifts_utc_but_not_the_local_hours():
    # 29 March 2026 is the switch to CEST (UTC+2): Monday 30 March 08:30 local is 06:30 UTC.
    assert is_open(WEEKDAY_MORNINGS, datetime(2026, 3, 30, 6, 30, tzinfo=timezone.utc), BIELEFELD) is True
    assert is_open(WEEKDAY_MORNINGS, datetime(2026, 3, 30, 7, 30, tzinfo=ZoneInfo("Europe/London")), BIELEFELD) is True


def test_closed_on_nrw_public_holidays():
    assert BIELEFELD.is_public_holiday(date(2026, 6, 4))  # Corpus Christi is a holiday in NRW
    corpus_christi_hours = office(("thu", "08:00", "12:00"))
    assert is_open(corpus_christi_hours, at("2026-06-04 09:00"), BIELEFELD) is False
    assert is_open(corpus_christi_hours, at("2026-06-11 09:00"), BIELEFELD) is True


def test_an_opening_past_midnight_belongs_to_the_day_it_starts():
    night_shelter = office(("fri", "22:00", "06:00"))
    assert is_open(night_shelter, at("2026-11-27 23:00"), BIELEFELD) is True  # Friday night
    assert is_open(night_shelter, at("2026-11-28 05:59"), BIELEFELD) is True  # Saturday early morning
    assert is_open(night_shelter, at("2026-11-28 06:00"), BIELEFELD) is False
    assert is_open(night_shelter, at("2026-11-26 23:00"), BIELEFELD) is False  # Thursday night


def test_next_opening_skips_closed_days_and_holidays():
    assert next_opening(WEEKDAY_MORNINGS, at("2026-11-23 13:00"), BIELEFELD) == at("2026-11-24 08:00")
    # Easter Monday (6 April 2026) is a holiday: after Good Friday the next opening is Tuesday.
    assert next_opening(WEEKDAY_MORNINGS, at("2026-04-03 10:00"), BIELEFELD) == at("2026-04-07 08:00")


def test_unknown_hours_are_neither_open_nor_closed():
    unknown = office()
    assert is_open(unknown, at("2026-11-23 09:30"), BIELEFELD) is None
    assert next_opening(unknown, at("2026-11-23 09:30"), BIELEFELD) is None
