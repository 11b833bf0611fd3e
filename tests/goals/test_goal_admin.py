"""The admin: lists with filters and search; writes go through the services (source admin)."""

from decimal import Decimal

import pytest
from django.test import Client

from goals.models import Goal, GoalProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    admin = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def inline(total=0, initial=0, rows=()):
    data = {
        "progress-TOTAL_FORMS": str(total),
        "progress-INITIAL_FORMS": str(initial),
        "progress-MIN_NUM_FORMS": "0",
        "progress-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"progress-{index}-{key}"] = value
    return data


def test_changelists_with_filters_and_search_load(staff, make_goal, log):
    goal = make_goal(period="weekly")
    log(goal, 2)

    for path in (
        "/admin/goals/goal/?status__exact=active&q=Correr",
        "/admin/goals/goal/?period__exact=weekly",
        "/admin/goals/goalprogress/?source__exact=api&q=ana",
        f"/admin/goals/goal/{goal.pk}/change/",
    ):
        assert staff.get(path).status_code == 200, path


def test_adding_a_goal_goes_through_the_service(staff, user):
    data = {
        "user": str(user.pk),
        "title": "Meditar",
        "description": "",
        "category": "",
        "target_value": "30",
        "unit": "min",
        "period": "daily",
        "start_date": "2026-11-01",
        "due_date": "",
        **inline(),
    }

    response = staff.post("/admin/goals/goal/add/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    goal = Goal.objects.get()
    assert (goal.title, goal.source, goal.user) == ("Meditar", "admin", user)


def test_progress_added_inline_is_logged_and_achieves(staff, make_goal):
    goal = make_goal(target_value=Decimal("3"))
    data = {
        "title": goal.title,
        "description": "",
        "category": "",
        "target_value": "3.00",
        "unit": goal.unit,
        "period": "none",
        "start_date": goal.start_date.isoformat(),
        "due_date": "",
        **inline(
            total=1,
            rows=[
                {
                    "value": "3",
                    "note": "admin",
                    "recorded_at_0": "2026-11-20",
                    "recorded_at_1": "10:00:00",
                }
            ],
        ),
    }

    response = staff.post(f"/admin/goals/goal/{goal.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    progress = GoalProgress.objects.get()
    assert (progress.value, progress.source) == (Decimal("3"), "admin")
    assert progress.actor.email == "staff@example.com"
    goal.refresh_from_db()
    assert goal.status == "achieved"


def test_archived_goal_cannot_be_edited_in_admin(staff, user, make_goal):
    from goals.services import goal_update

    goal = goal_update(user=user, goal=make_goal(), source="api", status="archived")
    data = {
        "title": "Cambiado",
        "description": "",
        "category": "",
        "target_value": "20.00",
        "unit": "km",
        "period": "none",
        "start_date": goal.start_date.isoformat(),
        "due_date": "",
        **inline(),
    }

    response = staff.post(f"/admin/goals/goal/{goal.pk}/change/", data)

    assert response.status_code == 200  # the form comes back with the error
    goal.refresh_from_db()
    assert goal.title == "Correr 20 km"


def test_admin_refuses_another_users_category(staff, user, other_category):
    data = {
        "user": str(user.pk),
        "title": "x",
        "description": "",
        "category": str(other_category.pk),
        "target_value": "1",
        "unit": "u",
        "period": "none",
        "start_date": "2026-11-01",
        "due_date": "",
        **inline(),
    }

    response = staff.post("/admin/goals/goal/add/", data)

    assert response.status_code == 200
    assert not Goal.objects.exists()


def test_deleting_progress_in_admin_reevaluates_the_goal(staff, make_goal, log):
    goal = make_goal(target_value=Decimal("2"))
    log(goal, 1)
    extra = log(goal, 1)
    goal.refresh_from_db()
    assert goal.status == "achieved"

    response = staff.post(f"/admin/goals/goalprogress/{extra.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "active"


def test_deleting_a_goal_in_admin(staff, make_goal, log):
    goal = make_goal()
    log(goal, 1)

    response = staff.post(f"/admin/goals/goal/{goal.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Goal.objects.exists()
