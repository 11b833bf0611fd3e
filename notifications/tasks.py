"""The push jobs: `django.tasks` tasks, the periodic ones scheduled by django-crontask
(`manage.py crontask` loads this module). Each run writes one log line with its counts:

    push job=send_checkin_reminders sent=2 failed=0 retrying=0 logged=0 skipped_quiet_hours=1 ...

Arguments are JSON values (ids and ISO dates as strings), as the database backend needs.
"""

from datetime import date

from crontask import cron
from django.tasks import task
from django.utils import timezone

from accounts.push import push_check_receipts, push_send_pending
from notifications import services


@cron("*/5 * * * *")
@task
def send_checkin_reminders() -> dict:
    counts = services.checkin_reminders_run(now=timezone.now())
    counts.log("send_checkin_reminders")
    return vars(counts)


@cron("*/10 * * * *")
@task
def send_stale_timer_nudges() -> dict:
    counts = services.stale_timer_nudges_run(now=timezone.now())
    counts.log("send_stale_timer_nudges")
    return vars(counts)


@cron("7 * * * *")
@task
def send_goal_pace_nudges() -> dict:
    """Hourly, so that it is "once a day, from PUSH_GOAL_PACE_HOUR" in every time zone."""
    counts = services.goal_pace_nudges_run(now=timezone.now())
    counts.log("send_goal_pace_nudges")
    return vars(counts)


@task
def notify_summary_ready(user_id: str, summary_date: str) -> dict:
    """Queued when a daily summary is stored (notifications/receivers.py), or directly:
    `notify_summary_ready.enqueue(user_id=str(user.pk), summary_date=day.isoformat())`."""
    counts = services.summary_ready_run(
        user_id=user_id, summary_date=date.fromisoformat(summary_date), now=timezone.now()
    )
    counts.log("notify_summary_ready", user=user_id, date=summary_date)
    return vars(counts)


@task
def notify_weekly_review(user_id: str, review_id: str, week_start: str) -> dict:
    """Queued when a weekly review is stored by the schedule (notifications/receivers.py)."""
    counts = services.weekly_review_run(
        user_id=user_id,
        review_id=review_id,
        week_start=date.fromisoformat(week_start),
        now=timezone.now(),
    )
    counts.log("notify_weekly_review", user=user_id, week=week_start)
    return vars(counts)


@cron("*/5 * * * *")
@task
def retry_pending_pushes() -> dict:
    """Messages Expo refused for the moment (429/5xx), and any queued but not yet sent."""
    counts = push_send_pending()
    counts.log("retry_pending_pushes")
    return vars(counts)


@cron("*/15 * * * *")
@task
def check_push_receipts() -> dict:
    counts = push_check_receipts()
    counts.log("check_push_receipts")
    return vars(counts)
