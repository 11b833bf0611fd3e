"""The issue's "done means", through the API as a client would do it."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_weekly_running_goal_and_daily_checkins(api_client, user):
    goal = api_client.post(
        "/api/v1/goals",
        {"title": "Correr 20 km", "target_value": "20", "unit": "km", "period": "weekly"},
        format="json",
    ).json()
    now = timezone.now()
    for km in ("5", "7.5"):
        response = api_client.post(
            f"/api/v1/goals/{goal['id']}/progress",
            {"value": km, "recorded_at": now.isoformat()},
            format="json",
        )
        assert response.status_code == 201

    seen = api_client.get(f"/api/v1/goals/{goal['id']}").json()
    today = user.local_now().date()
    assert seen["current_value"] == "12.50"
    assert seen["progress_percent"] == 62
    assert seen["period_start"] == (today - timedelta(days=today.weekday())).isoformat()
    assert seen["streak"] == 0

    api_client.post(f"/api/v1/goals/{goal['id']}/progress", {"value": "7.5"}, format="json")
    seen = api_client.get(f"/api/v1/goals/{goal['id']}").json()
    assert (seen["progress_percent"], seen["streak"], seen["status"]) == (100, 1, "active")

    local_now = user.local_now().replace(tzinfo=None)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    morning = max(local_now - timedelta(minutes=2), midnight).isoformat()
    evening = max(local_now - timedelta(minutes=1), midnight).isoformat()
    api_client.post(
        "/api/v1/checkins",
        {"kind": "morning", "mood": 4, "energy": 3, "recorded_at": morning},
        format="json",
    )
    api_client.post(
        "/api/v1/checkins",
        {"kind": "evening", "mood": 3, "energy": 2, "recorded_at": evening},
        format="json",
    )

    stats = api_client.get(
        "/api/v1/checkins/stats", {"from": today.isoformat(), "to": today.isoformat()}
    ).json()
    assert stats["days"] == [
        {"date": today.isoformat(), "count": 2, "mood_avg": 3.5, "energy_avg": 2.5}
    ]
