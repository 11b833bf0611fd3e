"""summaries.selectors.day_stats: one local day's figures, computed live."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from checkins import services as checkin_services
from goals import services as goal_services
from summaries.selectors import day_stats
from tasks import services as task_services

pytestmark = pytest.mark.django_db


def at(user, day, hour, minute=0):
    """A local time of `user` on `day`, as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=user.tz)


def test_an_empty_day(user):
    day = user.local_now().date() - timedelta(days=3)

    stats = day_stats(user=user, day=day)

    assert stats == {
        "date": day.isoformat(),
        "timezone": "Europe/Madrid",
        "tasks": {"created": 0, "completed": 0},
        "tracked_seconds": {"total": 0, "by_category": []},
        "goal_progress": [],
        "check_ins": {"count": 0, "mood_avg": None, "energy_avg": None},
        "running_timer": None,
        "baseline": {
            "from": (day - timedelta(days=7)).isoformat(),
            "to": (day - timedelta(days=1)).isoformat(),
            "days": 7,
            "tasks_created_avg": 0.0,
            "tasks_completed_avg": 0.0,
            "tracked_seconds_avg": 0,
            "goal_progress_entries": 0,
            "check_ins": {"count": 0, "mood_avg": None, "energy_avg": None},
        },
    }


def test_counts_tracked_time_progress_and_check_ins_of_that_local_day(user, other_user):
    day = user.local_now().date() - timedelta(days=2)
    work = task_services.category_create(user=user, name="Trabajo")
    task = task_services.task_create(user=user, source="api", title="Informe", category=work)
    loose = task_services.task_create(user=user, source="api", title="Suelta")
    task_services.task_log_time(
        user=user, task=task, started_at=at(user, day, 9), ended_at=at(user, day, 10), source="api"
    )
    task_services.task_log_time(
        user=user,
        task=loose,
        started_at=at(user, day, 11),
        ended_at=at(user, day, 11, 30),
        source="api",
    )
    # 23:30 to 00:30 local: only the first half belongs to `day`.
    task_services.task_log_time(
        user=user,
        task=task,
        started_at=at(user, day, 23, 30),
        ended_at=at(user, day, 23, 30) + timedelta(hours=1),
        source="api",
    )
    goal = goal_services.goal_create(
        user=user, source="api", title="Correr", target_value=Decimal(10), unit="km"
    )
    goal_services.goal_log_progress(
        user=user, goal=goal, value=Decimal("2.5"), recorded_at=at(user, day, 8), source="api"
    )
    goal_services.goal_log_progress(
        user=user, goal=goal, value=Decimal("1"), recorded_at=at(user, day, 19), source="api"
    )
    checkin_services.checkin_create(
        user=user, source="api", mood=4, energy=2, recorded_at=at(user, day, 9)
    )
    checkin_services.checkin_create(
        user=user, source="api", mood=2, energy=4, recorded_at=at(user, day, 21)
    )
    # The next local day (and another user) do not count.
    checkin_services.checkin_create(
        user=user,
        source="api",
        mood=5,
        energy=5,
        recorded_at=at(user, day, 23, 59) + timedelta(minutes=2),
    )
    checkin_services.checkin_create(
        user=other_user, source="api", mood=1, energy=1, recorded_at=at(user, day, 12)
    )

    stats = day_stats(user=user, day=day)

    assert stats["tracked_seconds"]["total"] == 3600 + 1800 + 1800
    assert stats["tracked_seconds"]["by_category"] == [
        {"category_id": str(work.pk), "name": "Trabajo", "seconds": 3600 + 1800},
        {"category_id": None, "name": None, "seconds": 1800},
    ]
    assert [(g["title"], Decimal(g["total"]), g["entries"]) for g in stats["goal_progress"]] == [
        ("Correr", Decimal("3.5"), 2)
    ]
    assert stats["check_ins"] == {"count": 2, "mood_avg": 3.0, "energy_avg": 3.0}


def test_tasks_created_and_completed_today(user):
    today = user.local_now().date()
    task = task_services.task_create(user=user, source="api", title="Hoy")
    task_services.task_complete(user=user, task=task, source="api")
    task_services.task_create(user=user, source="api", title="Otra")

    stats = day_stats(user=user, day=today)

    assert stats["tasks"] == {"created": 2, "completed": 1}


def test_the_running_timer_counts_up_to_now(user):
    day = user.local_now().date() - timedelta(days=1)
    task = task_services.task_create(user=user, source="api", title="En marcha")
    task_services.task_start(user=user, task=task, source="api", now=at(user, day, 22))

    stats = day_stats(user=user, day=day)

    # Still running: yesterday gets everything from 22:00 to its local midnight.
    assert stats["tracked_seconds"]["total"] == 2 * 3600


def test_a_running_timer_across_local_midnight_in_mexico_city(other_user):
    # America/Mexico_City is UTC-6: local midnight is 06:00 UTC.
    person = other_user
    day = person.local_now().date() - timedelta(days=2)
    task = task_services.task_create(user=person, source="api", title="Cierre de mes")
    task_services.task_start(user=person, task=task, source="api", now=at(person, day, 23, 15))
    # The stats are read as of 00:45 local on the following day.
    now = at(person, day, 23, 15) + timedelta(minutes=90)

    stats = day_stats(user=person, day=day, now=now)
    following = day_stats(user=person, day=day + timedelta(days=1), now=now)

    assert stats["timezone"] == "America/Mexico_City"
    assert stats["tracked_seconds"]["total"] == 45 * 60
    assert following["tracked_seconds"]["total"] == 45 * 60
    assert stats["running_timer"]["title"] == "Cierre de mes"
    assert following["running_timer"]["task_id"] == str(task.pk)
    # The following day's baseline holds the 45 minutes before midnight.
    assert following["baseline"]["tracked_seconds_avg"] == round(45 * 60 / 7)


def test_a_timer_started_after_the_day_is_not_that_days(user):
    day = user.local_now().date() - timedelta(days=1)
    task = task_services.task_create(user=user, source="api", title="Hoy")
    task_services.task_start(user=user, task=task, source="api")

    assert day_stats(user=user, day=day)["running_timer"] is None


def test_the_baseline_averages_the_seven_days_before(user):
    day = user.local_now().date() - timedelta(days=1)
    task = task_services.task_create(user=user, source="api", title="Diario")
    for back in range(1, 8):
        earlier = day - timedelta(days=back)
        task_services.task_log_time(
            user=user,
            task=task,
            started_at=at(user, earlier, 10),
            ended_at=at(user, earlier, 11),
            source="api",
        )
        checkin_services.checkin_create(
            user=user, source="api", mood=back % 5 + 1, energy=3, recorded_at=at(user, earlier, 9)
        )
    # Eight days back is outside the baseline.
    task_services.task_log_time(
        user=user,
        task=task,
        started_at=at(user, day - timedelta(days=8), 10),
        ended_at=at(user, day - timedelta(days=8), 15),
        source="api",
    )

    baseline = day_stats(user=user, day=day)["baseline"]

    assert baseline["tracked_seconds_avg"] == 3600
    assert baseline["check_ins"]["count"] == 7
    assert baseline["check_ins"]["mood_avg"] == round((2 + 3 + 4 + 5 + 1 + 2 + 3) / 7, 2)
    assert baseline["check_ins"]["energy_avg"] == 3.0


def _fill(user, day, n, hour):
    """n tasks with time, completions, progress and check-ins on each of the 8 days."""
    work = task_services.category_create(user=user, name=f"Cat {n}")
    goal = goal_services.goal_create(
        user=user, source="api", title=f"Meta {n}", target_value=Decimal(100), unit="u"
    )
    for back in range(8):
        when = day - timedelta(days=back)
        for i in range(n):
            task = task_services.task_create(user=user, source="api", title=f"T{i}", category=work)
            task_services.task_log_time(
                user=user,
                task=task,
                started_at=at(user, when, hour, i),
                ended_at=at(user, when, hour, i) + timedelta(seconds=30),
                source="api",
            )
            goal_services.goal_log_progress(
                user=user, goal=goal, value=Decimal(1), recorded_at=at(user, when, 9), source="api"
            )
            checkin_services.checkin_create(
                user=user, source="api", mood=3, energy=3, recorded_at=at(user, when, 10)
            )


def test_the_number_of_queries_does_not_grow_with_the_data(user, django_assert_max_num_queries):
    day = user.local_now().date() - timedelta(days=1)
    task = task_services.task_create(user=user, source="api", title="En marcha")
    task_services.task_start(user=user, task=task, source="api")
    _fill(user, day, 1, hour=8)
    with django_assert_max_num_queries(8) as few:
        day_stats(user=user, day=day)

    _fill(user, day, 6, hour=12)
    with django_assert_max_num_queries(8) as many:
        day_stats(user=user, day=day)

    assert len(many.captured_queries) == len(few.captured_queries)
