"""The periodic jobs besides the sweep: stale timers, expired tokens, the schedule itself."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from summaries import tasks as jobs
from tasks import services as task_services
from tasks.models import Task

pytestmark = pytest.mark.django_db


def test_the_stale_timer_job_pauses_timers_past_the_limit(user, other_user, settings, caplog):
    settings.STALE_TIMER_HOURS = 10
    now = timezone.now()
    forgotten = task_services.task_create(user=user, source="api", title="Olvidada")
    task_services.task_start(user=user, task=forgotten, source="api", now=now - timedelta(hours=11))
    recent = task_services.task_create(user=other_user, source="api", title="Reciente")
    task_services.task_start(
        user=other_user, task=recent, source="api", now=now - timedelta(hours=9)
    )

    with caplog.at_level(logging.INFO, logger="summaries.tasks"):
        first = jobs.pause_stale_timers.call()
        second = jobs.pause_stale_timers.call()

    assert (first, second) == (1, 0)
    forgotten.refresh_from_db()
    recent.refresh_from_db()
    assert forgotten.status == Task.Status.PAUSED
    assert forgotten.tracked_seconds == 10 * 3600
    assert recent.is_running
    lines = [r.getMessage() for r in caplog.records if r.name == "summaries.tasks"]
    assert lines == [
        "stale timers: 1 paused (limit 10:00:00)",
        "stale timers: 0 paused (limit 10:00:00)",
    ]


def test_the_token_job_flushes_expired_refresh_tokens_only(user, caplog):
    live = RefreshToken.for_user(user)
    old = RefreshToken.for_user(user)
    old.blacklist()
    OutstandingToken.objects.filter(jti=old["jti"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    with caplog.at_level(logging.INFO, logger="summaries.tasks"):
        assert jobs.flush_expired_tokens.call() == 1
        assert jobs.flush_expired_tokens.call() == 0

    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [live["jti"]]
    assert not BlacklistedToken.objects.exists()
    assert "expired tokens: 1 flushed" in caplog.text


def test_pruning_is_a_no_op_with_the_immediate_backend():
    assert jobs.prune_task_results.call() == 0


def test_pruning_deletes_finished_job_rows_past_their_days(settings, user):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_RESULT_DAYS = 7
    day = user.local_now().date().isoformat()
    old, recent, waiting = (
        jobs.generate_summary.enqueue(user_id=str(user.pk), day=day) for _ in range(3)
    )
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.id).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=8)
    )
    DBTaskResult.objects.filter(pk=recent.id).update(
        status="FAILED", finished_at=now - timedelta(days=6)
    )

    assert jobs.prune_task_results.call() == 1

    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert remaining == {recent.id, waiting.id}


def test_lost_jobs_are_a_no_op_with_the_immediate_backend():
    assert jobs.fail_lost_jobs.call() == 0


def test_a_job_left_running_past_the_limit_is_failed_and_a_recent_one_left_alone(
    settings, user, caplog
):
    """A worker killed mid-job (SIGKILL, out of memory) leaves its row RUNNING; the sweep fails
    it once it has run longer than any job can, and leaves running jobs alone."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_LOST_AFTER_MINUTES = 15
    day = user.local_now().date().isoformat()
    lost, running, waiting = (
        jobs.generate_summary.enqueue(user_id=str(user.pk), day=day) for _ in range(3)
    )
    now = timezone.now()
    for result, minutes in ((lost, 16), (running, 14)):
        row = DBTaskResult.objects.get(pk=result.id)
        row.claim("worker-that-died" if result is lost else "worker-alive")
        DBTaskResult.objects.filter(pk=row.pk).update(started_at=now - timedelta(minutes=minutes))

    with caplog.at_level(logging.INFO, logger="summaries.tasks"):
        assert jobs.fail_lost_jobs.call() == 1
        assert jobs.fail_lost_jobs.call() == 0  # already failed: once

    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {
        uuid.UUID(lost.id): "FAILED",
        uuid.UUID(running.id): "RUNNING",
        uuid.UUID(waiting.id): "READY",
    }
    failed = jobs.generate_summary.get_backend().get_result(lost.id)
    (error,) = failed.errors
    assert error.exception_class is jobs.WorkerLost
    assert "worker-that-died" in error.traceback
    assert failed.finished_at is not None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"lost job failed: id={lost.id} task=summaries.tasks.generate_summary "
        f"started_at={(now - timedelta(minutes=16)).isoformat()} worker=worker-that-died"
    ]
    assert "lost jobs: 1 failed (running over 0:15:00)" in caplog.messages


def test_the_schedule_holds_each_job_once():
    from crontask import scheduler

    ours = {"sweep_due_summaries", "pause_stale_timers", "flush_expired_tokens"}
    ours.update({"prune_task_results", "fail_lost_jobs"})
    jobs_by_name = [(job.name, str(job.trigger)) for job in scheduler.get_jobs()]
    schedule = dict(jobs_by_name)
    assert "minute='*/15'" in schedule["sweep_due_summaries"]
    assert "hour='*'" in schedule["sweep_due_summaries"]
    assert "minute='*/15'" in schedule["pause_stale_timers"]
    assert "hour='3', minute='17'" in schedule["flush_expired_tokens"]
    assert "hour='3', minute='47'" in schedule["prune_task_results"]
    assert "minute='*/5'" in schedule["fail_lost_jobs"]
    assert sorted(name for name, _ in jobs_by_name if name in ours) == sorted(ours)
