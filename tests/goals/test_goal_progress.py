"""POST|GET /api/v1/goals/{id}/progress"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from goals.models import GoalProgress

pytestmark = pytest.mark.django_db


def url(goal, slash=""):
    return f"/api/v1/goals/{goal.pk}/progress{slash}"


def test_logging_progress_returns_entry_and_updated_goal(api_client, make_goal):
    goal = make_goal(period="weekly", target_value=Decimal("20"))

    response = api_client.post(url(goal), {"value": "7.5", "note": "Parque"}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["progress"]["value"] == "7.50"
    assert data["progress"]["note"] == "Parque"
    assert data["progress"]["source"] == "api"
    assert data["progress"]["goal"] == str(goal.pk)
    assert data["goal"]["current_value"] == "7.50"
    assert data["goal"]["progress_percent"] == 37


def test_reaching_the_target_achieves_and_a_correction_reopens(api_client, make_goal):
    goal = make_goal(target_value=Decimal("10"))

    reached = api_client.post(url(goal, "/"), {"value": 10}, format="json")
    assert reached.json()["goal"]["status"] == "achieved"
    assert reached.json()["goal"]["achieved_at"] is not None

    corrected = api_client.post(url(goal), {"value": "-0.5"}, format="json")
    assert corrected.status_code == 201
    assert corrected.json()["goal"]["status"] == "active"
    assert corrected.json()["goal"]["achieved_at"] is None
    assert corrected.json()["goal"]["current_value"] == "9.50"


def test_progress_on_archived_goal_is_409(api_client, make_goal):
    goal = make_goal()
    api_client.patch(f"/api/v1/goals/{goal.pk}", {"status": "archived"}, format="json")

    response = api_client.post(url(goal), {"value": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "goal_archived"
    assert not GoalProgress.objects.exists()


@pytest.mark.parametrize(
    "value", [0, "0.00", "1.234", 1000000.01, -1000001, "abc", None, True, "NaN", "1e400"]
)
def test_bad_values_are_field_errors(api_client, make_goal, value):
    goal = make_goal()

    response = api_client.post(url(goal), {"value": value}, format="json")

    assert response.status_code == 400, value
    assert "value" in response.json()["error"]["fields"]
    assert not GoalProgress.objects.exists()


def test_limits_are_inclusive(api_client, make_goal):
    goal = make_goal(target_value=Decimal("1000000"))

    assert api_client.post(url(goal), {"value": "1000000"}, format="json").status_code == 201
    assert api_client.post(url(goal), {"value": "-1000000"}, format="json").status_code == 201


def test_recorded_at_in_the_future_is_rejected(api_client, make_goal):
    goal = make_goal()
    later = (timezone.now() + timedelta(hours=1)).isoformat()

    response = api_client.post(url(goal), {"value": 1, "recorded_at": later}, format="json")

    assert response.status_code == 400
    assert "recorded_at" in response.json()["error"]["fields"]


@pytest.mark.parametrize("recorded_at", ["yesterday", "1969-12-31T23:00:00Z", "2026-13-01T00:00"])
def test_bad_recorded_at_is_rejected(api_client, make_goal, recorded_at):
    goal = make_goal()

    response = api_client.post(url(goal), {"value": 1, "recorded_at": recorded_at}, format="json")

    assert response.status_code == 400
    assert "recorded_at" in response.json()["error"]["fields"]


def test_recorded_at_without_offset_is_the_users_local_time(api_client, make_goal):
    goal = make_goal()  # Ana lives in Europe/Madrid: UTC+1 in January

    response = api_client.post(
        url(goal), {"value": 1, "recorded_at": "2026-01-15T09:30:00"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["progress"]["recorded_at"] == "2026-01-15T08:30:00Z"


def test_note_longer_than_2000_is_rejected(api_client, make_goal):
    goal = make_goal()

    response = api_client.post(url(goal), {"value": 1, "note": "x" * 2001}, format="json")

    assert response.status_code == 400


def test_list_is_paginated_newest_first(api_client, make_goal, log):
    goal = make_goal()
    now = timezone.now()
    old = log(goal, 1, at=now - timedelta(days=2))
    new = log(goal, 2, at=now - timedelta(hours=1))
    middle = log(goal, 3, at=now - timedelta(days=1))

    response = api_client.get(url(goal), {"page_size": 2})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert [p["id"] for p in data["results"]] == [str(new.pk), str(middle.pk)]
    page2 = api_client.get(url(goal, "/"), {"page_size": 2, "page": 2}).json()
    assert [p["id"] for p in page2["results"]] == [str(old.pk)]


def test_progress_list_query_count_does_not_grow(
    api_client, make_goal, log, django_assert_num_queries
):
    goal = make_goal()
    log(goal, 1)
    with django_assert_num_queries(3):  # user, goal, page with its count
        api_client.get(url(goal))
    for _ in range(10):
        log(goal, 1)
    with django_assert_num_queries(3):
        api_client.get(url(goal))
