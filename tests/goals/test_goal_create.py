"""POST /api/v1/goals"""

from datetime import timedelta

import pytest

from goals.models import Goal

pytestmark = pytest.mark.django_db

URL = "/api/v1/goals"


def body(**overrides):
    return {"title": "Correr 20 km", "target_value": "20", "unit": "km", **overrides}


def test_create_weekly_goal_returns_computed_fields(api_client, user):
    response = api_client.post(URL, body(period="weekly"), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    today = user.local_now().date()
    monday = today - timedelta(days=today.weekday())
    assert data["status"] == "active"
    assert data["target_value"] == "20.00"
    assert data["current_value"] == "0.00"
    assert data["progress_percent"] == 0
    assert data["remaining"] == "20.00"
    assert data["start_date"] == today.isoformat()
    assert data["period_start"] == monday.isoformat()
    assert data["period_end"] == (monday + timedelta(days=6)).isoformat()
    assert data["streak"] == 0
    goal = Goal.objects.get(pk=data["id"])
    assert (goal.user, goal.source) == (user, "api")


def test_create_with_trailing_slash(api_client):
    assert api_client.post(URL + "/", body(), format="json").status_code == 201


def test_create_with_own_category(api_client, category):
    response = api_client.post(URL, body(category=str(category.pk)), format="json")

    assert response.status_code == 201
    assert response.json()["category"] == str(category.pk)


def test_another_users_category_is_a_field_error(api_client, other_category):
    response = api_client.post(URL, body(category=str(other_category.pk)), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["category"]
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target_value": "0"}, "target_value"),
        ({"target_value": "-5"}, "target_value"),
        ({"target_value": "abc"}, "target_value"),
        ({"target_value": "1.001"}, "target_value"),
        ({"target_value": "NaN"}, "target_value"),
        ({"target_value": "1000000000.01"}, "target_value"),
        ({"unit": ""}, "unit"),
        ({"unit": "x" * 31}, "unit"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 2001}, "description"),
        ({"period": "yearly"}, "period"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"start_date": "2026-05-10", "due_date": "2026-05-09"}, "due_date"),
        ({"category": "not-a-uuid"}, "category"),
        ({"category": "00000000-0000-0000-0000-000000000000"}, "category"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(api_client, overrides, field):
    response = api_client.post(URL, body(**overrides), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Goal.objects.exists()


def test_missing_required_fields(api_client):
    response = api_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"title", "target_value", "unit"}


def test_due_date_before_default_start_is_rejected(api_client, user):
    yesterday = user.local_now().date() - timedelta(days=1)

    response = api_client.post(URL, body(due_date=yesterday.isoformat()), format="json")

    assert response.status_code == 400
    assert "due_date" in response.json()["error"]["fields"]


def test_messages_follow_the_users_language(api_client):
    response = api_client.post(URL, body(target_value="0"), format="json")

    assert response.json()["error"]["fields"]["target_value"] == [
        "El objetivo debe ser mayor que 0."
    ]


def test_anonymous_is_401(anon_client):
    assert anon_client.post(URL, body(), format="json").status_code == 401
