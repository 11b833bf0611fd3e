"""The production path: jobs stored by the django-tasks-db backend and run by
`manage.py db_worker` in another process, on PostgreSQL."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from summaries import tasks as jobs
from summaries.models import DailySummary
from tests.ws.daphne import _test_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.OPENAI_API_KEY = ""


def run_worker(tmp_path) -> str:
    """`db_worker --batch`: run every queued job, then exit."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _test_database_url(tmp_path),
        "TASKS_BACKEND": "database",
        "OPENAI_API_KEY": "",
    }
    env.pop("DATABASE_PASSWORD", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_a_queued_summary_is_written_by_the_worker(database_backend, user, tmp_path):
    day = user.local_now().date()
    queued = jobs.generate_summary.enqueue(user_id=str(user.pk), day=day.isoformat())
    assert queued.status == TaskResultStatus.READY
    assert not DailySummary.objects.exists()

    output = run_worker(tmp_path)

    summary = DailySummary.objects.get(user=user)
    assert (summary.date, summary.source, summary.model) == (day, "schedule", None)
    assert summary.text.startswith("Ese día no se registró actividad")
    queued.refresh()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert queued.return_value == "generated"
    assert "summary job: user=" in output


def test_the_sweep_queues_and_one_failure_blocks_no_one(database_backend, make_user, tmp_path):
    fine = make_user(preferences={"summary_hour": 0})
    broken = make_user(preferences={"summary_hour": 0}, timezone="Asia/Tokyo")

    counts = jobs.sweep_due_summaries.call()
    # A timezone zoneinfo cannot load, as a bad import could leave, once the job is queued.
    User.objects.filter(pk=broken.pk).update(timezone="Mars/Olympus_Mons")
    again = jobs.sweep_due_summaries.call()

    assert counts == {"due": 2, "queued": 2, "failed": 0}
    assert again["due"] == 1  # `fine` again: its job has not run yet (it will write once)
    run_worker(tmp_path)

    assert list(DailySummary.objects.values_list("user_id", flat=True)) == [fine.pk]
    summary_jobs = DBTaskResult.objects.filter(task_path="summaries.tasks.generate_summary")
    statuses = sorted(summary_jobs.values_list("status", flat=True))
    assert statuses == ["FAILED", "SUCCESSFUL", "SUCCESSFUL"]
    returns = sorted(str(row.return_value) for row in summary_jobs.filter(status="SUCCESSFUL"))
    assert returns == ["generated", "skipped"]
    # The summary written queued its "summary ready" notice, which the worker ran too.
    notices = DBTaskResult.objects.filter(task_path="notifications.tasks.notify_summary_ready")
    assert list(notices.values_list("status", flat=True)) == ["SUCCESSFUL"]
