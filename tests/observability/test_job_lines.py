"""The request id follows a request into the background jobs it queues: stored on the job's
row, bound by the worker for every line of the job, and kept by the jobs a job queues."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from accounts import tasks as account_jobs
from config.observability import context
from summaries import tasks as summary_jobs
from tests.ws.daphne import _test_database_url

SUMMARIES = "/api/v1/summaries"


@pytest.fixture
def database_backend(settings):
    """Jobs stored for the worker, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.OPENAI_API_KEY = ""


def run_worker(tmp_path) -> list[dict]:
    """`db_worker --batch` in a process of its own, as the worker role runs it (JSON lines,
    role worker): every queued job, then exit. Its lines, parsed."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _test_database_url(tmp_path),
        "TASKS_BACKEND": "database",
        "OPENAI_API_KEY": "",
        "LOG_FORMAT": "json",
        "APP_ROLE": "worker",
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
    return [json.loads(line) for line in result.stderr.splitlines()]


# transaction=True: a job is queued when the request's transaction commits, inside the request
# (as in production), not when a test's outer transaction would run the callbacks after it.
@pytest.mark.django_db(transaction=True)
def test_a_job_queued_by_a_request_stores_its_request_id(api_client, user, database_backend):
    day = user.local_now().date().isoformat()

    response = api_client.post(f"{SUMMARIES}/{day}/generate", HTTP_X_REQUEST_ID="req-job-1")

    assert response.status_code == 202
    [job] = DBTaskResult.objects.all()
    assert job.args_kwargs["request_id"] == "req-job-1"
    assert job.args_kwargs["kwargs"]["day"] == day  # the job's own arguments are untouched


@pytest.mark.django_db
def test_a_job_queued_outside_any_request_gets_an_id_of_its_own(user, database_backend):
    first = account_jobs.send_email_verification.enqueue(user_id=str(user.pk))
    second = account_jobs.send_email_verification.enqueue(user_id=str(user.pk))

    ids = [DBTaskResult.objects.get(pk=r.id).args_kwargs["request_id"] for r in (first, second)]
    assert all(context.safe_request_id(value) == value for value in ids)
    assert ids[0] != ids[1]


@pytest.mark.django_db
def test_a_job_queued_inside_a_job_keeps_the_first_jobs_request_id(user, database_backend):
    token = context.start(request_id="req-chain")
    try:
        summary_jobs.generate_summary.enqueue(
            user_id=str(user.pk), day=user.local_now().date().isoformat()
        )
    finally:
        context.reset(token)

    assert DBTaskResult.objects.get().args_kwargs["request_id"] == "req-chain"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_workers_lines_for_a_job_carry_the_id_of_the_request_that_queued_it(
    api_client, user, database_backend, tmp_path
):
    day = user.local_now().date().isoformat()
    response = api_client.post(f"{SUMMARIES}/{day}/generate", HTTP_X_REQUEST_ID="req-to-worker")
    assert response.status_code == 202
    [job] = DBTaskResult.objects.all()

    lines = run_worker(tmp_path)

    job_lines = [line for line in lines if line.get("job_id") == str(job.pk)]
    assert [line["logger"] for line in job_lines] == [
        "django.tasks",  # Task … state=RUNNING
        "summaries.tasks",  # summary job: user=… generated
        "django.tasks",  # Task … state=SUCCESSFUL
    ]
    assert {line["request_id"] for line in job_lines} == {"req-to-worker"}
    assert {line["role"] for line in lines} == {"worker"}
    # Lines of the worker itself, between jobs, belong to no request.
    assert all("request_id" not in line for line in lines if "job_id" not in line)


@pytest.mark.django_db(transaction=True)
def test_with_the_immediate_backend_a_job_logs_inside_the_request_that_queued_it(
    anon_client, user, json_logs, settings
):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    response = anon_client.post(
        "/api/v1/auth/password/reset",
        {"email": user.email},
        format="json",
        HTTP_X_REQUEST_ID="req-reset-1",
    )

    assert response.status_code == 202
    [mail_line] = json_logs.where(logger="accounts.tasks")
    assert mail_line["request_id"] == "req-reset-1"
    assert context.safe_request_id(mail_line["job_id"])
    # The job's id is the job's: the request's own lines after it do not carry it.
    [access] = json_logs.where(logger="access")
    assert access["request_id"] == "req-reset-1"
    assert "job_id" not in access
