"""GET /api/v1/tasks/report?from=&to=."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tasks import services

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def test_the_report_gives_per_day_and_per_category_totals(
    api_client, user, make_task, make_category
):
    work = make_category(user, name="Work", color="#112233")
    start = datetime(2026, 11, 10, 23, 0, tzinfo=MADRID)
    services.task_log_time(
        user=user,
        task=make_task(user, category=work),
        started_at=start,
        ended_at=start + timedelta(hours=2),
        source="api",
    )

    response = api_client.get("/api/v1/tasks/report?from=2026-11-10&to=2026-11-11")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "from": "2026-11-10",
        "to": "2026-11-11",
        "timezone": "Europe/Madrid",
        "total_seconds": 7200,
        "days": [
            {
                "date": "2026-11-10",
                "total_seconds": 3600,
                "categories": [{"category_id": str(work.pk), "seconds": 3600}],
            },
            {
                "date": "2026-11-11",
                "total_seconds": 3600,
                "categories": [{"category_id": str(work.pk), "seconds": 3600}],
            },
        ],
        "categories": [
            {
                "category": {"id": str(work.pk), "name": "Work", "color": "#112233", "icon": ""},
                "seconds": 7200,
            }
        ],
    }


def test_report_is_not_mistaken_for_a_task_id(api_client):
    for path in ("/api/v1/tasks/report", "/api/v1/tasks/report/"):
        response = api_client.get(path, {"from": "2026-11-01", "to": "2026-11-01"})
        assert response.status_code == 200
        assert response.json()["days"][0]["date"] == "2026-11-01"


def test_a_full_year_is_allowed_but_not_more(api_client):
    ok = api_client.get("/api/v1/tasks/report", {"from": "2024-01-01", "to": "2024-12-31"})
    assert ok.status_code == 200
    assert len(ok.json()["days"]) == 366
    too_long = api_client.get("/api/v1/tasks/report", {"from": "2024-01-01", "to": "2025-01-01"})
    assert too_long.status_code == 400
    assert "to" in too_long.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "from"),
        ({"from": "2026-11-01"}, "to"),
        ({"from": "2026-11-31", "to": "2026-12-01"}, "from"),
        ({"from": "01/11/2026", "to": "2026-12-01"}, "from"),
        ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
        ({"from": "2026-11-01T00:00:00Z", "to": "2026-11-02"}, "from"),
    ],
)
def test_bad_report_ranges_are_400(api_client, query, field):
    response = api_client.get("/api/v1/tasks/report", query)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
