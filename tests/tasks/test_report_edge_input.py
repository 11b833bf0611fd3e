"""GET /api/v1/tasks/report at the edges of the calendar. Found by fuzzing the running API:
from=to=9999-12-31 was a 500 (the day after it does not exist)."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import access_token_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
        ({"from": "0000-00-00", "to": "2026-01-01"}, "from"),
        ({"from": "2026-01-01", "to": "10000-01-01"}, "to"),
    ],
)
def test_dates_outside_the_calendar_are_400_field_errors(api_client, query, field):
    response = api_client.get("/api/v1/tasks/report", query)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]


def test_the_first_day_in_a_timezone_east_of_utc_is_a_400(make_user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {access_token_for(make_user(timezone='Asia/Tokyo'))}"
    )

    response = client.get("/api/v1/tasks/report", {"from": "0001-01-01", "to": "0001-01-01"})

    assert response.status_code == 400, response.content
    assert "from" in response.json()["error"]["fields"]
