from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from config.localtime import (
    local_range,
    period_bounds,
    previous_period_start,
    wall_clock_instant,
)


@pytest.mark.parametrize(
    ("period", "day", "expected"),
    [
        ("daily", date(2026, 3, 4), (date(2026, 3, 4), date(2026, 3, 4))),
        ("weekly", date(2026, 11, 23), (date(2026, 11, 23), date(2026, 11, 29))),  # a Monday
        ("weekly", date(2026, 11, 29), (date(2026, 11, 23), date(2026, 11, 29))),  # a Sunday
        ("weekly", date(2026, 1, 1), (date(2025, 12, 29), date(2026, 1, 4))),  # across a year
        ("monthly", date(2024, 2, 29), (date(2024, 2, 1), date(2024, 2, 29))),
        ("monthly", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ],
)
def test_period_bounds_use_monday_weeks_and_calendar_months(period, day, expected):
    assert period_bounds(period, day) == expected


def test_previous_period_start_steps_back_one_period():
    assert previous_period_start("weekly", date(2026, 11, 23)) == date(2026, 11, 16)
    assert previous_period_start("monthly", date(2026, 3, 1)) == date(2026, 2, 1)
    assert previous_period_start("daily", date(2026, 1, 1)) == date(2025, 12, 31)


def test_period_bounds_refuse_goals_without_period():
    with pytest.raises(ValueError):
        period_bounds("none", date(2026, 1, 1))


def test_local_range_spans_a_short_dst_day():
    # Europe/Madrid springs forward on 2026-03-29: that local day lasts 23 hours.
    start, end = local_range(date(2026, 3, 29), date(2026, 3, 29), ZoneInfo("Europe/Madrid"))
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # A normal day: the wall time, read with that day's offset.
        ("Europe/Madrid", date(2026, 3, 28), time(2, 30), datetime(2026, 3, 28, 1, 30)),
        # 02:00 -> 03:00: every time in the gap is the first instant after it (03:00 local).
        ("Europe/Madrid", date(2026, 3, 29), time(2, 0), datetime(2026, 3, 29, 1, 0)),
        ("Europe/Madrid", date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 0)),
        ("Europe/Madrid", date(2026, 3, 29), time(1, 59), datetime(2026, 3, 29, 0, 59)),
        ("Europe/Madrid", date(2026, 3, 29), time(3, 0), datetime(2026, 3, 29, 1, 0)),
        # 03:00 -> 02:00: a time that happens twice is its first occurrence (still +02:00).
        ("Europe/Madrid", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),
        # A gap at midnight (Santiago, 00:00 -> 01:00).
        ("America/Santiago", date(2026, 9, 6), time(0, 30), datetime(2026, 9, 6, 4, 0)),
    ],
)
def test_wall_clock_instant_is_the_first_instant_showing_that_time(zone, day, at, expected):
    assert wall_clock_instant(day, at, ZoneInfo(zone)) == expected.replace(tzinfo=UTC)
