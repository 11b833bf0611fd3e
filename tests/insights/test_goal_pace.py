"""Each active goal's pace, as of a fixed moment, from the goals app's own figures."""

from datetime import date
from decimal import Decimal

import pytest

from goals.services import goal_create, goal_log_progress, goal_update
from insights.selectors import goal_pace
from tests.insights.conftest import local

pytestmark = pytest.mark.django_db

NOW = local(12, 12)  # Thursday 12 November 2026, 12:00 in Madrid


def goal(user, title, target, period="none", **kwargs):
    return goal_create(
        user=user,
        source="api",
        title=title,
        target_value=Decimal(target),
        unit="u",
        period=period,
        **kwargs,
    )


def log(user, goal, value, when):
    goal_log_progress(user=user, goal=goal, value=Decimal(value), recorded_at=when, source="api")


@pytest.fixture
def paces(user, other_user):
    weekly = goal(user, "Correr", 10, "weekly")
    log(user, weekly, 4, local(8, 8))  # last week's: not in this week's value nor its n
    log(user, weekly, 3, local(9, 8))
    log(user, weekly, 3, local(10, 8))
    slow = goal(user, "Nadar", 20, "weekly")
    log(user, slow, 5, local(9, 8))
    log(user, slow, 1, local(11, 8))
    book = goal(user, "Leer", 100, start_date=date(2026, 11, 1), due_date=date(2026, 12, 31))
    log(user, book, 10, local(30, 12, month=10))  # back-dated before the start
    log(user, book, 10, local(2, 10))
    log(user, book, 10, local(5, 10))
    open_ended = goal(user, "Guitarra", 10, start_date=date(2026, 11, 2))
    log(user, open_ended, 1, local(3, 10))
    log(user, open_ended, 1, local(4, 10))
    daily = goal(user, "Agua", 5, "daily")
    log(user, daily, 2, local(12, 9))
    met = goal(user, "Yoga", 5, "weekly")
    log(user, met, 5, local(9, 7))
    archived = goal(user, "Viejo", 5, "weekly")
    goal_update(user=user, goal=archived, source="api", status="archived")
    goal(other_user, "Ajena", 1, "weekly")
    return {g["title"]: g for g in goal_pace(user=user, now=NOW)}


def test_only_the_users_active_goals(paces):
    assert set(paces) == {"Correr", "Nadar", "Leer", "Guitarra", "Agua", "Yoga"}


def test_a_weekly_goal_on_track(paces):
    # Week of Monday 9th: 6 of 10 in 3.5 days; 4 more at that rate take 4 * 3.5 / 6 = 2.33
    # days: Saturday 14th 20:00, before Sunday 15th. An even pace: 10 * 3.5 / 7 = 5.
    assert paces["Correr"] | {"goal_id": None} == {
        "goal_id": None,
        "title": "Correr",
        "period": "weekly",
        "unit": "u",
        "target_value": Decimal("10.00"),
        "current_value": Decimal("6.00"),
        "progress_percent": 60,
        "deadline": date(2026, 11, 15),
        "n": 2,
        "minimum": 2,
        "status": "ok",
        "pace": "on_track",
        "projected_date": date(2026, 11, 14),
        "expected_value": Decimal("5.00"),
    }


def test_a_weekly_goal_behind(paces):
    # 6 of 20 in 3.5 days: 14 more take 14 * 3.5 / 6 = 8.17 days: Friday 20th, 16:00.
    slow = paces["Nadar"]
    assert (slow["pace"], slow["projected_date"]) == ("behind", date(2026, 11, 20))
    assert slow["expected_value"] == Decimal("10.00")


def test_a_goal_with_a_due_date_counts_from_its_first_entry(paces):
    # 30 of 100 since 30 Oct 12:00 (13 days before now): 70 more take 70 * 13 / 30 = 30.33
    # days: 12 December, 20:00; due 31 December. An even pace over the 62.5 days from 30 Oct
    # 12:00 to the end of 31 Dec: 100 * 13 / 62.5 = 20.8.
    book = paces["Leer"]
    assert (book["n"], book["pace"], book["projected_date"]) == (3, "on_track", date(2026, 12, 12))
    assert (book["deadline"], book["expected_value"]) == (date(2026, 12, 31), Decimal("20.80"))


def test_a_goal_without_a_deadline_still_gets_a_date(paces):
    # 2 of 10 in 10.5 days (from the 2nd): 8 more take 42 days: 24 December.
    guitar = paces["Guitarra"]
    assert (guitar["pace"], guitar["projected_date"], guitar["expected_value"]) == (
        "no_deadline",
        date(2026, 12, 24),
        None,
    )


def test_one_entry_is_not_enough_data(paces):
    water = paces["Agua"]
    assert (water["status"], water["n"], water["minimum"]) == ("insufficient_data", 1, 2)
    assert (water["pace"], water["projected_date"]) == (None, None)
    assert water["current_value"] == Decimal("2.00")  # the goal's own figures stay


def test_a_met_target_is_reached_whatever_the_entries(paces):
    assert (paces["Yoga"]["pace"], paces["Yoga"]["status"]) == ("reached", "ok")
