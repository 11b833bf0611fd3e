"""The admin changes tasks and categories only through the services (source "admin")."""

import pytest
from django.urls import reverse

from tasks import services
from tasks.models import Category, Task, TaskEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, make_user):
    admin = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_adding_a_task_in_the_admin_goes_through_the_service(staff_client, user, make_category):
    category = make_category(user)
    response = staff_client.post(
        reverse("admin:tasks_task_add"),
        {
            "user": str(user.pk),
            "title": "From the admin",
            "description": "",
            "category": str(category.pk),
            "priority": "high",
            "due_at_0": "",
            "due_at_1": "",
            "estimated_minutes": "30",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get(title="From the admin")
    assert (task.user, task.category, task.priority) == (user, category, "high")
    event = TaskEvent.objects.get(task=task)
    assert (event.type, event.source) == ("created", "admin")
    assert event.actor.email == "staff@example.com"


def test_the_admin_refuses_a_category_of_another_user(staff_client, user, other_user):
    theirs = services.category_create(user=other_user, name="theirs")
    response = staff_client.post(
        reverse("admin:tasks_task_add"),
        {"user": str(user.pk), "title": "x", "priority": "medium", "category": str(theirs.pk)},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Task.objects.exists()


def test_changing_a_task_in_the_admin_logs_an_admin_update(staff_client, user, make_task):
    task = make_task(user, title="Before")
    response = staff_client.post(
        reverse("admin:tasks_task_change", args=[task.pk]),
        {
            "title": "After",
            "description": "",
            "category": "",
            "priority": "medium",
            "due_at_0": "",
            "due_at_1": "",
            "estimated_minutes": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    task.refresh_from_db()
    assert task.title == "After"
    event = TaskEvent.objects.get(task=task, type="updated")
    assert event.source == "admin"
    assert event.actor.email == "staff@example.com"
    assert event.data == {"changes": {"title": {"from": "Before", "to": "After"}}}


def test_the_change_page_shows_the_read_only_event_log(staff_client, user, make_task):
    task = make_task(user)
    services.task_start(user=user, task=task, source="api")
    response = staff_client.get(reverse("admin:tasks_task_change", args=[task.pk]))
    assert response.status_code == 200
    assert b"started" in response.content


def test_admin_actions_use_the_timer_services(staff_client, user, make_task):
    first, second = make_task(user, title="first"), make_task(user, title="second")
    url = reverse("admin:tasks_task_changelist")

    staff_client.post(url, {"action": "start_timer", "_selected_action": [str(first.pk)]})
    first.refresh_from_db()
    assert first.is_running
    started = TaskEvent.objects.get(task=first, type="started")
    assert (started.source, started.actor.email) == ("admin", "staff@example.com")

    staff_client.post(
        url, {"action": "complete_tasks", "_selected_action": [str(first.pk), str(second.pk)]}
    )
    assert set(Task.objects.values_list("status", flat=True)) == {"completed"}
    completed = TaskEvent.objects.filter(type="completed", source="admin")
    assert [e.actor.email for e in completed] == ["staff@example.com"] * 2


def test_deleting_a_task_in_the_admin(staff_client, user, make_task):
    task = make_task(user)
    response = staff_client.post(
        reverse("admin:tasks_task_delete", args=[task.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Task.objects.exists()


def test_categories_in_the_admin_keep_names_unique(staff_client, user, make_category):
    make_category(user, name="Work")
    response = staff_client.post(
        reverse("admin:tasks_category_add"),
        {"user": str(user.pk), "name": "work", "color": "#112233", "icon": ""},
    )
    assert response.status_code == 200
    assert Category.objects.count() == 1
    response = staff_client.post(
        reverse("admin:tasks_category_add"),
        {"user": str(user.pk), "name": "Home", "color": "#112233", "icon": ""},
    )
    assert response.status_code == 302
    assert Category.objects.filter(name="Home").exists()


def test_the_event_log_is_read_only_in_the_admin(staff_client, user, make_task):
    event = TaskEvent.objects.get(task=make_task(user))
    assert staff_client.get(reverse("admin:tasks_taskevent_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:tasks_taskevent_add")).status_code == 403
    page = staff_client.get(reverse("admin:tasks_taskevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    delete = staff_client.post(
        reverse("admin:tasks_taskevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert TaskEvent.objects.filter(pk=event.pk).exists()
