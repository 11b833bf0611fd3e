"""goal_get, goal_progress_on_day and goal_progress_totals_on_day."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from config.exceptions import DomainError
from goals.selectors import goal_get, goal_progress_on_day, goal_progress_totals_on_day
from tests.goals.conftest import local

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("goal_id", ["nope", None, 42, str(uuid.uuid4())])
def test_goal_get_is_not_found_for_bad_or_unknown_ids(user, goal_id):
    with pytest.raises(DomainError) as caught:
        goal_get(user=user, goal_id=goal_id)

    assert (caught.value.code, caught.value.status_code) == ("not_found", 404)


def test_goal_get_hides_other_users_goals(user, other_user, make_goal):
    goal = make_goal(owner=other_user)

    with pytest.raises(DomainError):
        goal_get(user=user, goal_id=goal.pk)
    assert goal_get(user=other_user, goal_id=str(goal.pk)) == goal


def test_progress_on_a_local_day(user, other_user, make_goal, log):
    madrid = "Europe/Madrid"
    run = make_goal(title="Correr", unit="km")
    read = make_goal(title="Leer", unit="páginas")
    log(run, 5, at=local(madrid, 2026, 11, 9, 23, 59))  # the day before
    first = log(run, 3, at=local(madrid, 2026, 11, 10, 0, 5))  # 23:05 UTC on the 9th
    second = log(run, 2, at=local(madrid, 2026, 11, 10, 20, 0))
    third = log(read, 30, at=local(madrid, 2026, 11, 10, 22, 0))
    log(run, 1, at=local(madrid, 2026, 11, 11, 0, 0))  # the day after
    foreign = make_goal(owner=other_user)
    log(foreign, 9, at=local(madrid, 2026, 11, 10, 12, 0))

    entries = list(goal_progress_on_day(user=user, day=date(2026, 11, 10)))
    totals = goal_progress_totals_on_day(user=user, day=date(2026, 11, 10))

    assert entries == [first, second, third]
    assert totals == [
        {"goal_id": run.pk, "title": "Correr", "unit": "km", "total": Decimal("5"), "entries": 2},
        {
            "goal_id": read.pk,
            "title": "Leer",
            "unit": "páginas",
            "total": Decimal("30"),
            "entries": 1,
        },
    ]
