"""goal_stats: current value, percent, remaining, period window and streak, in local time."""

from datetime import date
from decimal import Decimal

import pytest

from goals.selectors import goal_list, goal_stats, goal_stats_many
from tests.goals.conftest import local

pytestmark = pytest.mark.django_db

MX = "America/Mexico_City"  # UTC-6 all year (no DST since 2022)


@pytest.fixture
def mx_user(make_user):
    return make_user(email="mx@example.com", timezone=MX)


def test_weekly_goal_counts_only_the_local_week_across_the_sunday_boundary(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="weekly", target_value=Decimal("20"))
    # Sunday 23:30 in Mexico City is already Monday 05:30 UTC: it belongs to the old week.
    log(goal, 5, at=local(MX, 2026, 11, 22, 23, 30))
    log(goal, 3, at=local(MX, 2026, 11, 23, 0, 15))  # Monday 00:15 local: the new week
    log(goal, 4, at=local(MX, 2026, 11, 25, 12, 0))

    stats = goal_stats(goal, now=local(MX, 2026, 11, 26, 9, 0))

    assert stats.current_value == Decimal("7")
    assert stats.total_value == Decimal("12")
    assert (stats.period_start, stats.period_end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert stats.progress_percent == 35
    assert stats.remaining == Decimal("13")


def test_weekly_window_moves_at_local_midnight_not_utc(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="weekly", target_value=Decimal("10"))
    log(goal, 6, at=local(MX, 2026, 11, 29, 20, 0))  # Sunday evening local, Monday 02:00 UTC

    # Sunday 23:00 local (Monday 05:00 UTC): still the week of the 23rd locally.
    sunday = goal_stats(goal, now=local(MX, 2026, 11, 29, 23, 0))
    monday = goal_stats(goal, now=local(MX, 2026, 11, 30, 0, 30))

    assert sunday.period_start == date(2026, 11, 23)
    assert sunday.current_value == Decimal("6")
    assert monday.period_start == date(2026, 11, 30)
    assert monday.current_value == Decimal("0")


def test_monthly_goal_resets_at_the_local_month_boundary(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="monthly", target_value=Decimal("100"))
    log(goal, 40, at=local(MX, 2026, 10, 31, 22, 0))  # 1 Nov 04:00 UTC, still October locally
    log(goal, 25, at=local(MX, 2026, 11, 1, 1, 0))

    stats = goal_stats(goal, now=local(MX, 2026, 11, 15, 12, 0))

    assert stats.current_value == Decimal("25")
    assert (stats.period_start, stats.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert stats.streak == 0  # October's 40 did not meet 100


def test_madrid_user_weekly_period_across_the_dst_change(user, make_goal, log):
    goal = make_goal(period="weekly", target_value=Decimal("5"))
    # Madrid falls back on Sunday 2026-10-25; Monday 26 00:10 local is Sunday 23:10 UTC.
    log(goal, 5, at=local("Europe/Madrid", 2026, 10, 26, 0, 10))

    stats = goal_stats(goal, now=local("Europe/Madrid", 2026, 10, 27, 8, 0))

    assert stats.period_start == date(2026, 10, 26)
    assert stats.current_value == Decimal("5")
    assert stats.streak == 1


def test_streak_counts_consecutive_met_weeks_and_the_current_one_once_met(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="weekly", target_value=Decimal("10"))
    log(goal, 10, at=local(MX, 2026, 10, 27, 8, 0))  # week of Oct 26: met, but then a gap
    log(goal, 12, at=local(MX, 2026, 11, 10, 8, 0))  # week of Nov 9: met
    log(goal, 6, at=local(MX, 2026, 11, 17, 8, 0))  # week of Nov 16: met in two entries
    log(goal, 4, at=local(MX, 2026, 11, 22, 23, 59))
    now = local(MX, 2026, 11, 24, 9, 0)

    assert goal_stats(goal, now=now).streak == 2  # current week not met yet: not counted

    log(goal, 10, at=local(MX, 2026, 11, 24, 8, 0))
    assert goal_stats(goal, now=now).streak == 3  # met: counted once

    log(goal, 10, at=local(MX, 2026, 11, 24, 8, 30))
    assert goal_stats(goal, now=now).streak == 3  # over-achieving does not count twice


def test_streak_breaks_on_a_missed_past_period(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="daily", target_value=Decimal("1"))
    for day in (20, 21, 23, 24):
        log(goal, 1, at=local(MX, 2026, 11, day, 7, 0))

    assert goal_stats(goal, now=local(MX, 2026, 11, 25, 7, 0)).streak == 2
    assert goal_stats(goal, now=local(MX, 2026, 11, 24, 23, 0)).streak == 2
    assert goal_stats(goal, now=local(MX, 2026, 11, 22, 7, 0)).streak == 2


def test_negative_correction_can_unmeet_a_period(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="daily", target_value=Decimal("2"))
    log(goal, 2, at=local(MX, 2026, 11, 20, 7, 0))
    log(goal, 2, at=local(MX, 2026, 11, 21, 7, 0))
    log(goal, "-0.5", at=local(MX, 2026, 11, 21, 9, 0))

    assert goal_stats(goal, now=local(MX, 2026, 11, 22, 7, 0)).streak == 0


def test_goal_without_period_reports_totals_and_no_window(make_goal, log):
    goal = make_goal(target_value=Decimal("3"))
    log(goal, "1.25")

    stats = goal_stats(goal)

    assert stats.current_value == Decimal("1.25")
    assert stats.progress_percent == 41  # 41.66 rounded down
    assert stats.remaining == Decimal("1.75")
    assert (stats.period_start, stats.period_end, stats.streak) == (None, None, None)


def test_percent_is_capped_at_100_and_never_negative(make_goal, log):
    over = make_goal(target_value=Decimal("2"))
    log(over, 5)
    under = make_goal(target_value=Decimal("2"), period="daily")
    log(under, -1)

    stats = goal_stats_many([over, under])

    assert stats[over.pk].progress_percent == 100
    assert stats[over.pk].remaining == Decimal("0")
    assert stats[under.pk].progress_percent == 0
    assert stats[under.pk].remaining == Decimal("3")


def test_annotated_list_agrees_with_fresh_stats(user, make_goal, log):
    weekly = make_goal(period="weekly", target_value=Decimal("10"))
    once = make_goal(target_value=Decimal("10"))
    log(weekly, 4)
    log(once, 7)

    listed = {g.pk: g for g in goal_list(user=user)}
    from_list = goal_stats_many(listed.values(), user=user)

    assert from_list[weekly.pk] == goal_stats(weekly)
    assert from_list[once.pk] == goal_stats(once)


def test_streak_scan_is_bounded_to_its_window(user, make_goal):
    """A daily habit kept for 400 days: the streak counts back STREAK_MAX_PERIODS days."""
    from datetime import timedelta

    from django.utils import timezone

    from config.localtime import local_midnight, local_today
    from goals.models import GoalProgress
    from goals.selectors import STREAK_MAX_PERIODS

    goal = make_goal(period="daily", target_value=Decimal("1"))
    now = timezone.now()
    today = local_today(user.tz, now)
    # At local noon of each of the last 400 days: `now - n days` would land two entries on
    # one local day and none on another across a DST change, at some hours of the day.
    GoalProgress.objects.bulk_create(
        GoalProgress(
            goal=goal,
            user=user,
            value=Decimal(1),
            recorded_at=min(
                now, local_midnight(today - timedelta(days=n), user.tz) + timedelta(hours=12)
            ),
        )
        for n in range(400)
    )
    stats = goal_stats(goal, now=now)
    assert stats.streak == STREAK_MAX_PERIODS["daily"] + 1  # the window, and today
    assert stats.total_value == Decimal(400)  # older progress still counts in the total
