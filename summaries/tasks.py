"""Background jobs (Django's `django.tasks`) and their schedule (`django-crontask`).

Where they run depends on `TASKS` (config/settings.py): with the database backend
(`TASKS_BACKEND=database`) `enqueue()` stores a row and `manage.py db_worker` runs it; with the
immediate backend (development and tests by default) `enqueue()` runs the job at once.
`manage.py crontask` is the scheduler: it imports this module (crontask loads every installed
app's `tasks` module), and each `@cron` job is enqueued on its schedule, once however many
scheduler replicas run (they share a Redis lock when REDIS_URL is set; the others wait).

Every job is idempotent (running it twice in a row changes nothing the second time), takes
only JSON values (ids, ISO dates), and logs one line with its counts. A job that fails is
recorded as failed by the worker; the next sweep picks its work up again, so one user's
failure never blocks anyone else's summary. A job whose worker died under it (SIGKILL, out of
memory, node lost) would stay RUNNING forever: `fail_lost_jobs` marks it failed.
"""

import logging
from datetime import date, timedelta

from crontask import cron
from django.conf import settings
from django.core.management import call_command
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from accounts.models import User
from summaries import services
from summaries.signals import summary_ready

logger = logging.getLogger(__name__)


@task
def generate_summary(*, user_id: str, day: str, source: str = "schedule") -> str:
    """Write one user's summary of local day `day` (ISO date). A scheduled job skips a day
    that already has its summary (a job queued twice writes once); other sources (queued by
    `services.summary_request`: the API, the admin) always regenerate, and first clear the
    request's "queued" marker, so a request made while this one runs queues a job of its own.
    Returns what it did: generated, fallback (template after a model failure), skipped or gone
    (the user was deleted or deactivated meanwhile)."""
    the_day = date.fromisoformat(day)
    if source != "schedule":
        services.summary_queued_clear(user_id=user_id, day=the_day)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        outcome = "gone"
    elif source == "schedule" and not services.summary_is_due(user=user, day=the_day):
        outcome = "skipped"
    else:
        summary, _ = services.summary_generate(user=user, day=the_day, source=source)
        outcome = "fallback" if summary.llm_error else "generated"
        if source == "schedule":
            # The notifications app answers with "your summary is ready" on the person's
            # devices: once per day whatever the retries (the notification log's key is the
            # date), never in quiet hours.
            summary_ready.send(sender=generate_summary, user_id=str(user.pk), summary_date=day)
    logger.info("summary job: user=%s day=%s source=%s %s", user_id, day, source, outcome)
    return outcome


@cron(settings.SUMMARY_SWEEP_CRON)
@task
def sweep_due_summaries() -> dict:
    """Queue a summary for every user whose local summary hour has passed today and who has
    none yet (or whose text fell back to the template, to try the model again)."""
    due = services.due_summaries()
    counts = {"due": len(due), "queued": 0, "failed": 0}
    for user_id, day in due:
        result = generate_summary.enqueue(user_id=str(user_id), day=day.isoformat())
        counts["queued"] += 1
        # Only the immediate backend has finished the job by now; with the database backend
        # the worker reports its own failures.
        if result.status == TaskResultStatus.FAILED:
            counts["failed"] += 1
            logger.error("summary job failed: user=%s day=%s %s", user_id, day, result.errors)
    logger.info("summary sweep: %(due)d due, %(queued)d queued, %(failed)d failed at once", counts)
    return counts


@cron("*/15 * * * *")
@task
def pause_stale_timers() -> int:
    """The tasks app's rule: timers running longer than STALE_TIMER_HOURS are paused at that
    limit (the same as `manage.py pause_stale_timers --older-than 10h`)."""
    from tasks.services import timers_pause_stale

    limit = timedelta(hours=settings.STALE_TIMER_HOURS)
    paused = timers_pause_stale(older_than=limit)
    logger.info("stale timers: %d paused (limit %s)", paused, limit)
    return paused


@cron("17 3 * * *")
@task
def flush_expired_tokens() -> int:
    """simplejwt's `flushexpiredtokens`: expired refresh tokens (and their blacklist rows)
    leave the token_blacklist tables, which otherwise grow with every login."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    expired = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).count()
    call_command("flushexpiredtokens", verbosity=0)
    logger.info("expired tokens: %d flushed", expired)
    return expired


@cron("47 3 * * *")
@task
def prune_task_results() -> int:
    """Finished job rows of the database backend older than TASKS_RESULT_DAYS are deleted, in
    every queue (the schedule alone adds ~1,700 a day with crontask's heartbeat). Nothing to do
    with the immediate backend, which keeps no rows."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        logger.info("task results: 0 pruned (backend %s keeps none)", backend)
        return 0
    from django_tasks_db.models import DBTaskResult

    days = settings.TASKS_RESULT_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    old = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).count()
    call_command("prune_db_task_results", min_age_days=days, queue_name="*", verbosity=0)
    logger.info("task results: %d pruned (finished over %d days ago)", old, days)
    return old


class WorkerLost(Exception):
    """The worker running a job stopped (killed, out of memory, its node lost) before it could
    record an outcome: the job was marked failed by `fail_lost_jobs`."""


@cron("*/5 * * * *")
@task
def fail_lost_jobs() -> int:
    """Jobs RUNNING for longer than TASKS_LOST_AFTER_MINUTES are marked FAILED (WorkerLost),
    with a warning per job; nothing to do with the immediate backend, which keeps no rows.

    A worker records a job's outcome when the job returns; one killed meanwhile leaves the row
    RUNNING, and django-tasks-db never looks at it again. The limit is well above the longest
    job (a summary waits up to OPENAI_TIMEOUT_SECONDS, 60, for each of 3 tries). Failed, not
    queued again: a job that took its worker down (out of memory) would take the next one down
    too, and every job's work is picked up anyway by a periodic run (a missing summary by the
    next sweep, unsent pushes by retry_pending_pushes, the periodic jobs at their next time).
    A job that was only slow and finishes after all records its own outcome over this one."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        logger.info("lost jobs: 0 failed (backend %s keeps none)", backend)
        return 0
    from django_tasks_db.models import DBTaskResult

    limit = timedelta(minutes=settings.TASKS_LOST_AFTER_MINUTES)
    now = timezone.now()
    lost = DBTaskResult.objects.running().filter(started_at__lte=now - limit)
    failed = 0
    for job_id, task_path, started_at, worker_ids in lost.values_list(
        "pk", "task_path", "started_at", "worker_ids"
    ):
        worker = worker_ids[-1] if worker_ids else "?"
        reason = (
            f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: RUNNING since "
            f"{started_at.isoformat()} on worker {worker}, over the {limit} limit "
            "(TASKS_LOST_AFTER_MINUTES): the worker stopped without recording an outcome\n"
        )
        # Only if it is still the same claim: a worker that finished it meanwhile, or claimed
        # it again, wins.
        changed = DBTaskResult.objects.filter(
            pk=job_id, status=TaskResultStatus.RUNNING, started_at=started_at
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=reason,
        )
        if changed:
            failed += 1
            logger.warning(
                "lost job failed: id=%s task=%s started_at=%s worker=%s",
                job_id,
                task_path,
                started_at.isoformat(),
                worker,
            )
    logger.info("lost jobs: %d failed (running over %s)", failed, limit)
    return failed
