"""GET /api/v1/goals"""

from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/goals"


def test_lists_own_goals_newest_first_with_progress(api_client, make_goal, log, other_user):
    first = make_goal(title="Leer", target_value=Decimal("10"), unit="páginas")
    second = make_goal(title="Correr", period="weekly")
    log(first, 4)
    make_goal(owner=other_user, title="Ajena")

    response = api_client.get(URL)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [g["id"] for g in data["results"]] == [str(second.pk), str(first.pk)]
    assert data["results"][1]["current_value"] == "4.00"
    assert data["results"][1]["progress_percent"] == 40


def test_filter_by_status(api_client, user, make_goal, log):
    from goals.services import goal_update

    done = make_goal(target_value=Decimal("1"))
    log(done, 1)
    archived = goal_update(user=user, goal=make_goal(), source="api", status="archived")
    active = make_goal()

    def ids(status):
        return [g["id"] for g in api_client.get(URL, {"status": status}).json()["results"]]

    assert ids("achieved") == [str(done.pk)]
    assert ids("archived") == [str(archived.pk)]
    assert ids("active") == [str(active.pk)]


def test_unknown_status_filter_is_400(api_client):
    response = api_client.get(URL + "/", {"status": "finished"})

    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_page_size_is_respected(api_client, make_goal):
    for _ in range(3):
        make_goal()

    response = api_client.get(URL, {"page_size": 2})

    assert response.json()["count"] == 3
    assert len(response.json()["results"]) == 2


def _fill(make_goal, log, n):
    for i in range(n):
        goal = make_goal(period=["none", "daily", "weekly", "monthly"][i % 4])
        log(goal, 1)
        log(goal, 2)


def test_query_count_does_not_grow_with_goals(
    api_client, make_goal, log, django_assert_num_queries
):
    _fill(make_goal, log, 2)
    # user (auth), count, page with sums, daily history of periodic goals, their pauses
    with django_assert_num_queries(4):
        small = api_client.get(URL)
    _fill(make_goal, log, 12)
    with django_assert_num_queries(4):
        large = api_client.get(URL)

    assert small.json()["count"] == 2
    assert large.json()["count"] == 14


def test_empty_status_lists_everything(api_client, make_goal):
    make_goal()

    assert api_client.get(URL + "?status=").json()["count"] == 1
