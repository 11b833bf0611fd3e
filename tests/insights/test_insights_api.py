"""GET /api/v1/insights: the range, its defaults and limits, the figures as JSON, the user's
language, and a number of queries that does not grow with the rows."""

from datetime import timedelta

import pytest

from tests.insights.conftest import FROM, TO, fill_fortnight, fill_someone_else

pytestmark = pytest.mark.django_db

URL = "/api/v1/insights"


def test_the_fortnight_as_json(fortnight, api_client):
    for slash in ("", "/"):
        response = api_client.get(f"{URL}{slash}", {"from": FROM, "to": TO})
        assert response.status_code == 200, response.content

    body = response.json()
    assert (body["from"], body["to"], body["timezone"]) == (
        "2026-11-02",
        "2026-11-15",
        "Europe/Madrid",
    )
    assert (body["mood"]["overall"]["n"], body["mood"]["overall"]["mood_avg"]) == (11, 3.36)
    tesis = body["mood"]["by_category"][0]
    assert tesis["category_id"] == str(fortnight["Tesis"].pk)
    assert (tesis["with"]["mood_avg"], tesis["mood_difference"]) == (4.17, 1.77)
    assert (body["estimates"]["ratio"], body["estimates"]["median_ratio"]) == (1.3, 1.0)
    # Spanish, the user's language, where there are texts.
    night = body["mood"]["by_hour"][0]
    assert night["label"] == "Madrugada (0-6 h)"
    assert night["message"] == (
        "No hay datos suficientes: 1 registro de ánimo; hacen falta al menos 3."
    )
    assert "message" not in body["mood"]["overall"]
    assert body["mood"]["by_weekday"][0]["label"] == "lunes"
    assert body["goals"] == []


def test_the_default_range_is_the_last_28_local_days(api_client, user):
    today = user.local_now().date()

    body = api_client.get(URL).json()

    assert (body["from"], body["to"]) == (str(today - timedelta(days=27)), str(today))


def test_only_from_reaches_today(api_client, user):
    today = user.local_now().date()

    body = api_client.get(URL, {"from": today - timedelta(days=3)}).json()

    assert body["to"] == str(today)


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-11-15", "to": "2026-11-02"},
        {"from": "2025-01-01", "to": "2026-01-02"},  # 367 days
        {"from": "2026-13-01"},
        {"to": "ayer"},
        {"from": "0001-01-01"},
    ],
)
def test_bad_ranges_are_400(api_client, query):
    response = api_client.get(URL, query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) <= {"from", "to"}


def test_366_days_are_allowed(api_client):
    assert api_client.get(URL, {"from": "2025-01-01", "to": "2026-01-01"}).status_code == 200


def test_anonymous_is_401(anon_client):
    assert anon_client.get(URL).status_code == 401


def test_another_users_data_is_never_counted(fortnight, other_client):
    body = other_client.get(URL, {"from": FROM, "to": TO}).json()

    assert body["mood"]["overall"]["n"] == 14
    assert [c["name"] for c in body["mood"]["by_category"]] == ["Tesis"]
    assert body["estimates"]["n"] == 4


def test_queries_do_not_grow_with_the_rows(user, api_client, django_assert_num_queries):
    from goals.services import goal_create, goal_log_progress
    from tests.insights.conftest import local

    fill_fortnight(user)
    for index, period in enumerate(["none", "weekly"]):
        goal = goal_create(
            user=user, source="api", title=f"G{index}", target_value=10, unit="u", period=period
        )
        goal_log_progress(user=user, goal=goal, value=1, recorded_at=local(3, 9), source="api")
    query = {"from": FROM, "to": TO}
    # The user; check-ins; the time report's segments, running task and categories; completed
    # tasks; active goals, their progress sums, their pauses (a periodic goal is among them)
    # and their entries.
    with django_assert_num_queries(10) as few:
        assert api_client.get(URL, query).status_code == 200

    fill_someone_else(user, "Otra")  # more of everything, on the same days
    for index in range(5):
        goal = goal_create(
            user=user, source="api", title=f"H{index}", target_value=10, unit="u", period="weekly"
        )
        goal_log_progress(user=user, goal=goal, value=1, recorded_at=local(4, 9), source="api")
    with django_assert_num_queries(len(few.captured_queries)):
        assert api_client.get(URL, query).status_code == 200
