"""/api/v1/plans: build today's plan, read it, change it; only the person's own tasks and plans.

The views use the real clock, so these tests hold at any hour (the rules at chosen moments are
tested on the service, test_plan_build.py)."""

from datetime import datetime, time, timedelta

import pytest

from planning.models import DayPlan
from planning.services import plan_build

pytestmark = pytest.mark.django_db

TODAY_URL = "/api/v1/plans/today"


@pytest.fixture
def all_day(user):
    user.preferences = {"working_hours": {"start": "00:00", "end": "23:59"}}
    user.save()
    return user


def test_post_builds_todays_plan_then_builds_it_again(api_client, user, make_task):
    make_task("Informe", estimated_minutes=20)

    first = api_client.post(TODAY_URL)
    again = api_client.post(TODAY_URL + "/")

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first.json()["id"]
    assert body["date"] == user.local_now().date().isoformat()
    assert body["working_hours"] == {"start": "09:00", "end": "17:00"}
    assert body["planned_minutes"] <= body["capacity_minutes"] <= body["available_minutes"]
    assert body["estimate_factor"] == "1.00"
    assert body["source"] == "api"


def test_the_plan_never_holds_another_users_tasks(api_client, all_day, other_user, make_task):
    make_task("Ajena", owner=other_user, estimated_minutes=1)

    body = api_client.post(TODAY_URL).json()

    assert body["items"] == []


def test_get_reads_a_stored_plan(api_client, user):
    assert api_client.get(TODAY_URL).status_code == 404
    api_client.post(TODAY_URL)
    today = user.local_now().date().isoformat()

    assert api_client.get(TODAY_URL).json()["date"] == today
    assert api_client.get(f"/api/v1/plans/{today}").json()["date"] == today
    assert api_client.get("/api/v1/plans").json()["count"] == 1


def test_another_users_plan_is_404(api_client, other_client):
    api_client.post(TODAY_URL)

    assert other_client.get(TODAY_URL).status_code == 404
    assert other_client.get("/api/v1/plans").json()["count"] == 0


@pytest.mark.parametrize("day", ["2026-02-30", "mañana", "2026-1-05", "0000-01-01"])
def test_a_malformed_day_is_400(api_client, day):
    response = api_client.get(f"/api/v1/plans/{day}")

    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]


def test_a_plan_is_built_for_today_only(api_client, user):
    tomorrow = (user.local_now().date() + timedelta(days=1)).isoformat()

    response = api_client.post(f"/api/v1/plans/{tomorrow}")

    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]
    assert not DayPlan.objects.exists()


def test_patch_reorders_drops_and_adds(api_client, all_day, make_task):
    first = make_task("Primera", estimated_minutes=5)
    second = make_task("Segunda", estimated_minutes=5)
    third = make_task("Tercera", estimated_minutes=5)
    api_client.post(TODAY_URL)

    response = api_client.patch(
        TODAY_URL, {"task_ids": [str(third.pk), str(first.pk)]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert [item["title"] for item in response.json()["items"]] == ["Tercera", "Primera"]
    response = api_client.patch(
        TODAY_URL, {"task_ids": [str(second.pk), str(third.pk)]}, format="json"
    )
    items = response.json()["items"]
    assert [item["title"] for item in items] == ["Segunda", "Tercera"]
    assert items[0]["planned_minutes"] == 10  # added: sized as the plan sizes tasks


@pytest.mark.parametrize(
    "task_ids",
    [
        ["not-a-uuid"],
        "not a list",
        ["11111111-0000-0000-0000-000000000000"],  # no such task
        [None],
    ],
)
def test_patch_with_bad_ids_is_400_and_changes_nothing(api_client, user, make_task, task_ids):
    make_task("Informe", estimated_minutes=5)
    api_client.post(TODAY_URL)
    before = api_client.get(TODAY_URL).json()["items"]

    response = api_client.patch(TODAY_URL, {"task_ids": task_ids}, format="json")

    assert response.status_code == 400
    assert all(key.startswith("task_ids") for key in response.json()["error"]["fields"])
    assert api_client.get(TODAY_URL).json()["items"] == before


def test_patch_cannot_add_another_users_task_nor_repeat_one(
    api_client, user, other_user, make_task
):
    mine = make_task("Mía", estimated_minutes=5)
    theirs = make_task("Ajena", owner=other_user, estimated_minutes=5)
    api_client.post(TODAY_URL)

    foreign = api_client.patch(TODAY_URL, {"task_ids": [str(theirs.pk)]}, format="json")
    twice = api_client.patch(TODAY_URL, {"task_ids": [str(mine.pk)] * 2}, format="json")

    assert foreign.status_code == twice.status_code == 400
    assert not DayPlan.objects.filter(items__task=theirs).exists()


def test_a_past_plan_cannot_change(api_client, user, make_task):
    yesterday = user.local_now() - timedelta(days=1)
    plan, _ = plan_build(user=user, source="api", now=yesterday)

    response = api_client.patch(
        f"/api/v1/plans/{plan.date.isoformat()}", {"task_ids": []}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "plan_closed"


def test_patch_without_a_plan_is_404(api_client):
    assert api_client.patch(TODAY_URL, {"task_ids": []}, format="json").status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(
    api_client, all_day, make_task, django_assert_num_queries
):
    def noon(days_ago):
        day = all_day.local_now().date() - timedelta(days=days_ago)
        return datetime.combine(day, time(12), tzinfo=all_day.tz)

    make_task("Informe", estimated_minutes=5)
    plan_build(user=all_day, source="api", now=noon(1))
    # user, page with its count, items with their tasks and categories
    with django_assert_num_queries(3):
        small = api_client.get("/api/v1/plans")
    for n in range(2, 6):
        make_task(f"Más {n}", estimated_minutes=5)
        plan_build(user=all_day, source="api", now=noon(n))
    with django_assert_num_queries(3):
        large = api_client.get("/api/v1/plans")

    assert (small.json()["count"], large.json()["count"]) == (1, 5)
    assert len(large.json()["results"][-1]["items"]) == 5


def test_working_hours_are_a_typed_preference(api_client):
    good = {"preferences": {"working_hours": {"start": "08:30", "end": "15:00"}}}
    assert api_client.patch("/api/v1/auth/me", good, format="json").status_code == 200
    for hours in (
        {"start": "15:00", "end": "08:30"},
        {"start": "8:30", "end": "15:00"},
        {"start": "08:30"},
        "08:30-15:00",
    ):
        body = {"preferences": {"working_hours": hours}}
        response = api_client.patch("/api/v1/auth/me", body, format="json")
        assert response.status_code == 400, hours
        assert "preferences.working_hours" in response.json()["error"]["fields"]
    reset = {"preferences": {"working_hours": None}}
    assert api_client.patch("/api/v1/auth/me", reset, format="json").status_code == 200
