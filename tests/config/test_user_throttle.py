"""Every authenticated endpoint spends from a per-user rate (THROTTLE_RATES["user"]), in units
of the request's weight: 1 for most, the time report by the days it spans, the assistant and
voice more. Generous by default; here the rate is made small to see it act."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_rate(settings):
    def set_rate(rate):
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": rate}

    return set_rate


def test_any_authenticated_endpoint_is_limited_per_user(api_client, other_client, user_rate):
    user_rate("4/min")

    answers = [api_client.get(path) for path in ("/api/v1/goals", "/api/v1/checkins") * 2]
    throttled = api_client.get("/api/v1/categories")

    assert [r.status_code for r in answers] == [200] * 4
    assert throttled.status_code == 429
    error = throttled.json()["error"]
    assert error["code"] == "throttled"
    assert 0 < error["retry_after"] <= 120
    assert throttled["Retry-After"] == str(error["retry_after"])
    # Per user: someone else is not affected.
    assert other_client.get("/api/v1/categories").status_code == 200


def test_the_task_list_counts_too(api_client, user_rate):
    user_rate("2/min")

    answers = [api_client.get("/api/v1/tasks") for _ in range(3)]

    assert [r.status_code for r in answers] == [200, 200, 429]
    assert answers[-1].json()["error"]["code"] == "throttled"


def test_a_year_long_report_weighs_more_than_a_week(api_client, user_rate):
    user_rate("60/min")
    year = {"from": "2025-01-01", "to": "2025-12-31"}  # 365 days: 53 units
    week = {"from": "2025-01-01", "to": "2025-01-07"}  # 1 unit

    first_year = api_client.get("/api/v1/tasks/report", year)
    second_year = api_client.get("/api/v1/tasks/report", year)
    weeks = [api_client.get("/api/v1/tasks/report", week) for _ in range(7)]

    assert first_year.status_code == 200
    assert second_year.status_code == 429
    assert [r.status_code for r in weeks] == [200] * 7


@pytest.mark.parametrize(("rate", "status"), [("9/min", 429), ("10/min", 503)])
def test_a_message_to_the_assistant_weighs_ten(api_client, user_rate, settings, rate, status):
    settings.OPENAI_API_KEY = None  # reached, the view answers 503 assistant_unavailable
    user_rate(rate)

    response = api_client.post("/api/v1/chat/message", {"content": "hola"})

    assert response.status_code == status


@pytest.mark.parametrize("off", [None, "", "off"])
def test_the_rate_can_be_turned_off(api_client, user_rate, off):
    user_rate(off)

    assert all(api_client.get("/api/v1/goals").status_code == 200 for _ in range(30))
