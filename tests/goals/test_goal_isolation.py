"""Another user's goal is a 404 on every route, and nothing changes."""

from decimal import Decimal

import pytest

from goals.models import Goal, GoalProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_goal(make_goal, other_user, log):
    goal = make_goal(owner=other_user, target_value=Decimal("5"))
    log(goal, 1)
    return goal


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("get", "/", None),
        ("patch", "", {"title": "mío"}),
        ("patch", "", {"status": "archived"}),
        ("delete", "", None),
        ("get", "/progress", None),
        ("post", "/progress", {"value": 4}),
        ("post", "/progress/", {"value": 4}),
        # A bad body on another user's goal: still the 404, never a 400 about the body.
        ("post", "/progress", {"value": "mucho"}),
    ],
)
def test_other_users_goal_is_404(api_client, foreign_goal, method, suffix, payload):
    path = f"/api/v1/goals/{foreign_goal.pk}{suffix}"

    response = getattr(api_client, method)(path, payload, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    foreign_goal.refresh_from_db()
    assert foreign_goal.title == "Correr 20 km"
    assert foreign_goal.status == "active"
    assert GoalProgress.objects.filter(goal=foreign_goal).count() == 1


def test_other_users_goals_are_not_listed(api_client, foreign_goal):
    assert api_client.get("/api/v1/goals").json()["count"] == 0
    assert Goal.objects.count() == 1
