"""The summary admin: filters by user and date, read-only rows, the "regenerate" action."""

from datetime import date

import pytest
from django.test import Client

from summaries.models import DailySummary

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/summaries/dailysummary/"


@pytest.fixture
def staff(make_user, settings):
    settings.OPENAI_API_KEY = ""
    admin = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def old_summary(user):
    return DailySummary.objects.create(
        user=user, date=date(2026, 11, 30), language="es", source="schedule", text="viejo"
    )


def test_changelist_filters_by_user_and_date(staff, user, old_summary):
    for path in (
        f"{CHANGELIST}?user__id__exact={user.pk}",
        f"{CHANGELIST}?date__year=2026&date__month=11",
        f"{CHANGELIST}?source__exact=schedule&q=ana",
    ):
        response = staff.get(path)
        assert response.status_code == 200
        assert "2026" in response.content.decode()


def test_the_change_page_shows_the_summary_read_only(staff, old_summary):
    response = staff.get(f"{CHANGELIST}{old_summary.pk}/change/")
    assert response.status_code == 200
    assert 'name="text"' not in response.content.decode()
    assert staff.get(f"{CHANGELIST}add/").status_code == 403


def regenerate(staff, summary):
    return staff.post(
        CHANGELIST, {"action": "regenerate", "_selected_action": [str(summary.pk)]}, follow=True
    )


def test_regenerate_rewrites_the_selected_summaries(
    staff, user, old_summary, django_capture_on_commit_callbacks
):
    # The immediate backend runs the queued job at once.
    with django_capture_on_commit_callbacks(execute=True):
        response = regenerate(staff, old_summary)

    assert response.status_code == 200
    old_summary.refresh_from_db()
    assert old_summary.source == "admin"
    assert old_summary.text.startswith("Ese día no se registró actividad")
    assert old_summary.stats["date"] == "2026-11-30"
    assert "1 resumen en cola para regenerarse" in response.content.decode()


def test_regenerate_queues_for_the_worker_once(
    staff, old_summary, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert regenerate(staff, old_summary).status_code == 200
        assert regenerate(staff, old_summary).status_code == 200

    old_summary.refresh_from_db()
    assert (old_summary.source, old_summary.text) == ("schedule", "viejo")  # the worker's job
    [job] = DBTaskResult.objects.filter(task_path="summaries.tasks.generate_summary")
    assert job.args_kwargs["kwargs"]["source"] == "admin"
