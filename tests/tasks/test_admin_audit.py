"""Audit in the admin: a staff member's changes to a user's tasks carry that staff member in
the event (`actor`), the user's own changes carry none; the task list's category filter offers
the categories of the user the list is filtered by."""

import pytest
from django.urls import reverse

from tasks import services
from tasks.admin import TaskCategoryFilter
from tasks.models import TaskEvent

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/tasks/task/"


@pytest.fixture
def staff(make_user):
    return make_user(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_every_admin_action_records_the_acting_staff_member(staff_client, staff, user, make_task):
    task = make_task(user)
    url = reverse("admin:tasks_task_changelist")
    for action in ("start_timer", "pause_timers", "complete_tasks", "reopen_tasks"):
        staff_client.post(url, {"action": action, "_selected_action": [str(task.pk)]})

    events = TaskEvent.objects.filter(task=task).exclude(type="created")
    assert sorted(e.type for e in events) == ["completed", "paused", "reopened", "started"]
    assert {(e.source, e.actor_id) for e in events} == {("admin", staff.pk)}


def test_the_users_own_changes_have_no_actor(api_client, user, make_task):
    task = make_task(user)
    api_client.post(f"/api/v1/tasks/{task.pk}/start")
    assert TaskEvent.objects.get(task=task, type="started").actor is None


def test_the_event_log_in_the_admin_shows_the_actor(staff_client, user, make_task):
    task = make_task(user)
    staff_client.post(
        reverse("admin:tasks_task_changelist"),
        {"action": "start_timer", "_selected_action": [str(task.pk)]},
    )
    page = staff_client.get(reverse("admin:tasks_task_change", args=[task.pk]))
    assert b"staff@example.com" in page.content
    events = staff_client.get(reverse("admin:tasks_taskevent_changelist"))
    assert b"staff@example.com" in events.content


def test_the_event_survives_the_staff_account(staff_client, staff, user, make_task):
    task = make_task(user)
    staff_client.post(
        reverse("admin:tasks_task_changelist"),
        {"action": "start_timer", "_selected_action": [str(task.pk)]},
    )
    staff.delete()
    event = TaskEvent.objects.get(task=task, type="started")
    assert (event.source, event.actor) == ("admin", None)


def category_choices(response) -> list[str]:
    # A filter with no choices is left out of the page altogether.
    specs = [f for f in response.context["cl"].filter_specs if isinstance(f, TaskCategoryFilter)]
    return [label for spec in specs for _value, label in spec.lookup_choices]


def test_the_category_filter_lists_only_the_filtered_users_categories(
    staff_client, user, other_user, make_task
):
    mine = services.category_create(user=user, name="Trabajo")
    services.category_create(user=user, name="Casa")
    theirs = services.category_create(user=other_user, name="Ajena")
    make_task(user, title="mía", category=mine)
    make_task(other_user, title="suya", category=theirs)

    response = staff_client.get(LIST_URL, {"user": str(user.pk)})

    assert response.status_code == 200
    assert category_choices(response) == ["Casa", "Trabajo"]
    titles = [task.title for task in response.context["cl"].result_list]
    assert titles == ["mía"]


def test_filtering_by_a_category_of_the_user(staff_client, user, make_task):
    work = services.category_create(user=user, name="Trabajo")
    make_task(user, title="informe", category=work)
    make_task(user, title="compra")

    response = staff_client.get(LIST_URL, {"user": str(user.pk), "category": str(work.pk)})

    assert [t.title for t in response.context["cl"].result_list] == ["informe"]


def test_without_a_user_the_category_filter_is_not_offered(staff_client, user, other_user):
    services.category_create(user=user, name="Trabajo")
    services.category_create(user=other_user, name="Ajena")

    response = staff_client.get(LIST_URL)

    assert response.status_code == 200
    assert category_choices(response) == []
    assert b"Ajena" not in response.content


def test_the_user_column_links_to_the_users_tasks(staff_client, user, make_task):
    make_task(user, title="mía")
    response = staff_client.get(LIST_URL)
    assert f'href="?user={user.pk}"'.encode() in response.content


@pytest.mark.parametrize("params", [{"user": "nope"}, {"user": "", "category": "nope"}])
def test_garbage_filter_values_are_not_a_500(staff_client, params):
    response = staff_client.get(LIST_URL, params)
    assert response.status_code in (200, 302)
