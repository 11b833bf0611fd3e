"""The time report: local days, midnight splits, daylight-saving days, categories and the
running timer."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tasks import selectors, services
from tests.tasks.conftest import T0

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def log(user, task, start, end):
    services.task_log_time(
        user=user,
        task=task,
        started_at=start,
        ended_at=end,
        source="api",
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )


def report(user, start, end, now=None):
    return selectors.time_report(
        user=user, date_from=start, date_to=end, now=now or datetime(2027, 1, 1, tzinfo=UTC)
    )


def day_totals(result) -> dict:
    return {day["date"]: day["total_seconds"] for day in result["days"]}


def test_a_segment_across_local_midnight_is_split_between_the_two_days(user, make_task):
    task = make_task(user)  # user is in Europe/Madrid (UTC+1 in November)
    log(
        user,
        task,
        datetime(2026, 11, 10, 23, 30, tzinfo=MADRID),
        datetime(2026, 11, 11, 0, 45, tzinfo=MADRID),
    )

    result = report(user, date(2026, 11, 10), date(2026, 11, 11))

    assert day_totals(result) == {date(2026, 11, 10): 1800, date(2026, 11, 11): 2700}
    assert result["total_seconds"] == 4500
    assert result["timezone"] == "Europe/Madrid"


def test_days_are_the_users_local_days_not_utc_days(make_user, make_task):
    user = make_user(timezone="America/Mexico_City")  # UTC-6
    # 2026-11-11 02:00-03:00 UTC is 20:00-21:00 on the 10th in Mexico City.
    log(
        user,
        make_task(user),
        datetime(2026, 11, 11, 2, tzinfo=UTC),
        datetime(2026, 11, 11, 3, tzinfo=UTC),
    )
    result = report(user, date(2026, 11, 10), date(2026, 11, 11))
    assert day_totals(result) == {date(2026, 11, 10): 3600, date(2026, 11, 11): 0}


def test_the_spring_forward_day_is_23_hours_long(user, make_task):
    # Europe/Madrid skips 02:00-03:00 on 2026-03-29.
    log(
        user,
        make_task(user),
        datetime(2026, 3, 28, 23, 0, tzinfo=MADRID),
        datetime(2026, 3, 29, 4, 0, tzinfo=MADRID),
    )
    result = report(user, date(2026, 3, 28), date(2026, 3, 29))
    # 23:00 -> 24:00 on the 28th, then 00:00 -> 04:00 local is only 3 real hours.
    assert day_totals(result) == {date(2026, 3, 28): 3600, date(2026, 3, 29): 3 * 3600}


def test_the_fall_back_day_is_25_hours_long(user, make_task):
    # Europe/Madrid repeats 02:00-03:00 on 2026-10-25; log the whole local day in two entries.
    task = make_task(user)
    start = datetime(2026, 10, 25, 0, 0, tzinfo=MADRID)
    middle = datetime(2026, 10, 25, 12, 0, tzinfo=MADRID)
    end = datetime(2026, 10, 26, 0, 0, tzinfo=MADRID)
    log(user, task, start, middle)
    log(user, task, middle, end)

    result = report(user, date(2026, 10, 24), date(2026, 10, 26))

    assert day_totals(result) == {
        date(2026, 10, 24): 0,
        date(2026, 10, 25): 25 * 3600,
        date(2026, 10, 26): 0,
    }


def test_the_running_timer_counts_up_to_now(user, make_task):
    start = datetime(2026, 11, 10, 23, 0, tzinfo=MADRID)
    services.task_start(user=user, task=make_task(user), source="api", now=start)

    result = report(user, date(2026, 11, 10), date(2026, 11, 12), now=start + timedelta(hours=2))

    assert day_totals(result) == {
        date(2026, 11, 10): 3600,
        date(2026, 11, 11): 3600,
        date(2026, 11, 12): 0,
    }


def test_time_outside_the_range_is_left_out(user, make_task):
    task = make_task(user)
    log(
        user,
        task,
        datetime(2026, 11, 9, 23, 0, tzinfo=MADRID),
        datetime(2026, 11, 10, 1, 0, tzinfo=MADRID),
    )
    log(
        user,
        task,
        datetime(2026, 11, 10, 23, 0, tzinfo=MADRID),
        datetime(2026, 11, 11, 1, 0, tzinfo=MADRID),
    )
    result = report(user, date(2026, 11, 10), date(2026, 11, 10))
    assert day_totals(result) == {date(2026, 11, 10): 7200}


def test_time_is_grouped_by_category_per_day_and_in_total(user, make_task, make_category):
    work, home = make_category(user, name="Work"), make_category(user, name="Home")
    at = datetime(2026, 11, 10, 9, 0, tzinfo=MADRID)
    log(user, make_task(user, category=work), at, at + timedelta(hours=2))
    log(user, make_task(user, category=home), at + timedelta(hours=3), at + timedelta(hours=4))
    log(user, make_task(user), at + timedelta(hours=5), at + timedelta(minutes=330))

    result = report(user, date(2026, 11, 10), date(2026, 11, 10))

    assert result["days"][0]["categories"] == [
        {"category_id": work.pk, "seconds": 7200},
        {"category_id": home.pk, "seconds": 3600},
        {"category_id": None, "seconds": 1800},
    ]
    assert [(c["category"], c["seconds"]) for c in result["categories"]] == [
        (work, 7200),
        (home, 3600),
        (None, 1800),
    ]


def test_other_users_time_is_not_reported(user, other_user, make_task):
    log(other_user, make_task(other_user), T0, T0 + timedelta(hours=1))
    assert report(user, date(2026, 11, 1), date(2026, 11, 30))["total_seconds"] == 0


def test_every_day_of_the_range_is_listed(user):
    result = report(user, date(2026, 1, 1), date(2026, 12, 31))
    assert len(result["days"]) == 365
    assert result["total_seconds"] == 0


def test_day_counts_use_the_local_day(user, make_task):
    late = datetime(2026, 11, 10, 23, 30, tzinfo=MADRID)  # 22:30 UTC, still the 10th in Madrid
    task = make_task(user)
    services.task_complete(user=user, task=task, source="api", now=late)
    other = make_task(user)

    counts = selectors.task_day_counts(user=user, day=date(2026, 11, 10))

    assert counts == {"created": 0, "completed": 1}
    created_day = other.created_at.astimezone(MADRID).date()
    assert selectors.task_day_counts(user=user, day=created_day)["created"] == 2


def test_a_day_whose_midnight_does_not_exist_starts_after_the_gap(make_user, make_task):
    # São Paulo jumped from 00:00 to 01:00 on 2018-11-04: that day began at 01:00 (-02:00).
    user = make_user(timezone="America/Sao_Paulo")
    log(
        user,
        make_task(user),
        datetime(2018, 11, 4, 2, 0, tzinfo=UTC),  # 23:00 on the 3rd, local
        datetime(2018, 11, 4, 4, 0, tzinfo=UTC),  # 02:00 on the 4th, local
    )
    result = report(user, date(2018, 11, 3), date(2018, 11, 4))
    assert day_totals(result) == {date(2018, 11, 3): 3600, date(2018, 11, 4): 3600}
    start, end = selectors.local_day_bounds(date(2018, 11, 4), ZoneInfo("America/Sao_Paulo"))
    assert end - start == timedelta(hours=23)
