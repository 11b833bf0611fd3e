"""GET|PATCH|DELETE /api/v1/goals/{id}"""

from decimal import Decimal

import pytest

from goals.models import Goal, GoalProgress

pytestmark = pytest.mark.django_db


def url(goal, slash=""):
    return f"/api/v1/goals/{goal.pk}{slash}"


def test_retrieve_with_and_without_slash(api_client, make_goal, log):
    goal = make_goal(target_value=Decimal("4"))
    log(goal, 1)

    for slash in ("", "/"):
        response = api_client.get(url(goal, slash))
        assert response.status_code == 200
        assert response.json()["progress_percent"] == 25


def test_malformed_id_is_not_found(api_client):
    response = api_client.get("/api/v1/goals/not-a-uuid")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_patch_changes_fields(api_client, make_goal, category):
    goal = make_goal()

    response = api_client.patch(
        url(goal),
        {"title": "Correr 25 km", "target_value": "25", "category": str(category.pk)},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Correr 25 km"
    assert response.json()["remaining"] == "25.00"
    goal.refresh_from_db()
    assert goal.category == category


def test_patch_can_clear_category_and_due_date(api_client, make_goal, category):
    goal = make_goal(category=category, due_date=None)

    response = api_client.patch(url(goal), {"category": None, "due_date": None}, format="json")

    assert response.status_code == 200
    assert response.json()["category"] is None


def test_patch_due_date_is_checked_against_stored_start_date(api_client, make_goal):
    from datetime import date

    goal = make_goal(start_date=date(2026, 5, 10))

    response = api_client.patch(url(goal), {"due_date": "2026-05-01"}, format="json")

    assert response.status_code == 400
    assert "due_date" in response.json()["error"]["fields"]


def test_patch_another_users_category_is_a_field_error(api_client, make_goal, other_category):
    goal = make_goal()

    response = api_client.patch(url(goal), {"category": str(other_category.pk)}, format="json")

    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "payload",
    [{"status": "achieved"}, {"status": "done"}, {"target_value": "0"}, {"title": None}],
)
def test_patch_bad_input_is_400(api_client, make_goal, payload):
    goal = make_goal()

    response = api_client.patch(url(goal), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(payload)


def test_archive_and_unarchive_through_patch(api_client, make_goal, log):
    goal = make_goal(target_value=Decimal("2"))
    log(goal, 2)

    archived = api_client.patch(url(goal), {"status": "archived"}, format="json")
    assert archived.json()["status"] == "archived"
    assert archived.json()["achieved_at"] is not None

    blocked = api_client.patch(url(goal), {"title": "x"}, format="json")
    assert blocked.status_code == 409
    assert blocked.json()["error"]["code"] == "goal_archived"

    restored = api_client.patch(url(goal), {"status": "active"}, format="json")
    assert restored.json()["status"] == "achieved"


def test_put_is_not_allowed(api_client, make_goal):
    goal = make_goal()

    response = api_client.put(url(goal), {"title": "x"}, format="json")

    assert response.status_code == 405


def test_delete_removes_goal_and_progress(api_client, make_goal, log):
    goal = make_goal()
    log(goal, 1)

    response = api_client.delete(url(goal, "/"))

    assert response.status_code == 204
    assert not Goal.objects.exists()
    assert not GoalProgress.objects.exists()
    assert api_client.get(url(goal)).status_code == 404
