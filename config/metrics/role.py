"""`python -m config.metrics.role ROLE COMMAND [ARG…]`: a background role's manage.py command
with the role's metrics endpoint and heartbeat (config/metrics/heartbeat.py). The image runs
the worker (`db_worker`) and the scheduler (`crontask`) this way (deploy/docker-entrypoint.sh);
the command itself runs exactly as `python manage.py COMMAND ARG…` would.

What a beat proves:

- worker: a thread beats every BEAT_SECONDS while the main thread (django-tasks-db's loop) is
  alive and no job has run longer than TASKS_LOST_AFTER_MINUTES (django.tasks' task_started
  and task_finished signals). A job stuck past the point where `fail_lost_jobs` gives it up
  stops the beats: Docker marks the task unhealthy and Swarm replaces it. Not seen: a loop
  blocked between jobs (a query that never returns); jobs then wait, which
  `agente_jobs_oldest_queued_age_seconds` shows. The same signals count the jobs run
  (`agente_jobs_finished_total`, `agente_job_duration_seconds`).
- scheduler: a job of the scheduler itself (APScheduler, every BEAT_SECONDS, the first at
  once), so a beat proves that its thread pool runs jobs on time. A second scheduler waiting
  for the lock (deploy/README.md) does not beat.
"""

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class JobWatch:
    """The jobs this worker process is running, from django.tasks' signals."""

    def __init__(self, limit_seconds: float):
        self.limit_seconds = limit_seconds
        self._running: dict[str, float] = {}

    def started(self, sender, task_result, **kwargs) -> None:
        self._running[str(task_result.id)] = time.monotonic()

    def finished(self, sender, task_result, **kwargs) -> None:
        from config.metrics.series import JOB_DURATION, JOBS_FINISHED

        began = self._running.pop(str(task_result.id), None)
        task = task_result.task.module_path
        JOBS_FINISHED.labels(task=task, status=str(task_result.status)).inc()
        if began is not None:
            JOB_DURATION.labels(task=task).observe(time.monotonic() - began)

    def healthy(self) -> bool:
        now = time.monotonic()
        return all(now - began < self.limit_seconds for began in self._running.values())


def beat_while(
    role: str, healthy: Callable[[], bool], *, every: float | None = None
) -> threading.Event:
    """A daemon thread beating for `role` every `every` seconds while the main thread lives
    and `healthy()` says so; setting the returned event stops it."""
    from config.metrics import heartbeat

    every = heartbeat.BEAT_SECONDS if every is None else every
    main_thread = threading.main_thread()
    stop = threading.Event()

    def run() -> None:
        while main_thread.is_alive() and not stop.is_set():
            if healthy():
                try:
                    heartbeat.beat(role)
                except OSError as exc:  # the file could not be written: no beat, and say so
                    logger.warning("heartbeat of %s not written: %s", role, exc)
            stop.wait(every)

    threading.Thread(target=run, name=f"{role}-heartbeat", daemon=True).start()
    return stop


def watch_worker() -> JobWatch:
    from django.conf import settings
    from django.tasks.signals import task_finished, task_started

    watch = JobWatch(settings.TASKS_LOST_AFTER_MINUTES * 60)
    task_started.connect(watch.started, weak=False, dispatch_uid="metrics.job_started")
    task_finished.connect(watch.finished, weak=False, dispatch_uid="metrics.job_finished")
    beat_while("worker", watch.healthy)
    return watch


def beat_in_scheduler() -> None:
    from datetime import UTC, datetime

    from apscheduler.triggers.interval import IntervalTrigger
    from crontask import scheduler

    from config.metrics import heartbeat

    scheduler.add_job(
        heartbeat.beat,
        IntervalTrigger(seconds=heartbeat.BEAT_SECONDS),
        args=["scheduler"],
        name="agente.heartbeat",
        next_run_time=datetime.now(UTC),
    )


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        print("usage: python -m config.metrics.role ROLE COMMAND [ARG...]", file=sys.stderr)
        sys.exit(2)
    role, command = argv[0], argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from config.metrics import exporter

    exporter.start_from_settings(role)
    if role == "worker":
        watch_worker()
    elif role == "scheduler":
        beat_in_scheduler()
    execute_from_command_line(["manage.py", *command])


if __name__ == "__main__":
    main(sys.argv[1:])
