"""What the push jobs send, and to whom. Each function returns the run's counts.

The decisions (quiet hours, daily cap, preferences, once per key) are made by
`accounts.notifications.notification_create`; this module finds who is due.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from accounts.models import Device, Notification, User
from accounts.notifications import (
    checkin_reminder_text,
    count_outcome,
    notification_create,
    parse_hhmm,
    stale_timer_text,
    summary_ready_text,
    weekly_review_text,
)
from accounts.push import PushCounts, push_send_pending
from config.localtime import ONE_DAY, wall_clock_instant
from tasks.models import Task

Kind = Notification.Kind


def _has_device(user_field: str = "pk"):
    return Exists(Device.objects.filter(user=OuterRef(user_field)))


def _send_queued(counts: PushCounts, queued: list) -> PushCounts:
    if queued:
        counts.add(push_send_pending(notification_ids=queued))
    return counts


def due_reminder_slots(user: User, now: datetime, window: timedelta) -> Iterator[datetime]:
    """The reminder moments (local, for the notification's key) whose instant is within
    `window` before `now`.

    Compared as instants (config/localtime.wall_clock_instant), not as wall-clock times: a
    reminder set in the hour the clocks skip comes once, at the first minute after the gap
    (02:30 on a spring-forward day in Madrid is due from 03:00); one in the hour that happens
    twice comes once, the first time; and the window is `window` of real time around a change.
    Yesterday is looked at too, so a 23:50 reminder caught at 00:05 still counts.
    """
    today = now.astimezone(user.tz).date()
    seen = set()
    for value in sorted(set((user.preferences or {}).get("checkin_reminders") or [])):
        at = parse_hhmm(value)
        for day in (today, today - ONE_DAY):
            instant = wall_clock_instant(day, at, user.tz)
            # Two times in the same gap are one moment (one notification, one key).
            if instant <= now < instant + window and instant not in seen:
                seen.add(instant)
                yield instant.astimezone(user.tz)


def checkin_reminders_run(*, now: datetime) -> PushCounts:
    counts, queued = PushCounts(), []
    window = timedelta(minutes=settings.PUSH_REMINDER_WINDOW_MINUTES)
    users = User.objects.filter(
        _has_device(), is_active=True, preferences__has_key="checkin_reminders"
    )
    for user in users.iterator(chunk_size=500):
        for moment in due_reminder_slots(user, now, window):
            title, body = checkin_reminder_text(user.language)
            outcome, notification = notification_create(
                user=user,
                kind=Kind.CHECKIN_REMINDER,
                dedupe_key=moment.strftime("%Y-%m-%dT%H:%M"),
                title=title,
                body=body,
                data={"type": "checkin_reminder", "screen": "checkin"},
                now=now,
            )
            count_outcome(counts, outcome)
            if notification is not None and outcome == "queued":
                queued.append(notification.id)
    return _send_queued(counts, queued)


def is_stale(task: Task, now: datetime) -> bool:
    """Running longer than PUSH_STALE_TIMER_HOURS, or crossed its estimate during this run
    (a timer resumed on a task already past its estimate waits for the hours rule)."""
    if now - task.running_since >= timedelta(hours=settings.PUSH_STALE_TIMER_HOURS):
        return True
    if task.estimated_minutes is None:
        return False
    estimate = task.estimated_minutes * 60
    return task.tracked_seconds < estimate <= task.tracked_seconds_at(now)


def stale_timer_nudges_run(*, now: datetime) -> PushCounts:
    counts, queued = PushCounts(), []
    threshold = now - timedelta(hours=settings.PUSH_STALE_TIMER_HOURS)
    running = (
        Task.objects.filter(running_since__isnull=False, user__is_active=True)
        .filter(Q(running_since__lte=threshold) | Q(estimated_minutes__isnull=False))
        .filter(_has_device("user_id"))
        .select_related("user")
    )
    for task in running:
        if not is_stale(task, now):
            continue
        minutes = int((now - task.running_since).total_seconds() // 60)
        title, body = stale_timer_text(task.user.language, task_title=task.title, minutes=minutes)
        outcome, notification = notification_create(
            user=task.user,
            kind=Kind.STALE_TIMER,
            # One nudge per run of the timer: a pause and a new start is a new run.
            dedupe_key=f"{task.id}:{task.running_since.isoformat()}",
            title=title,
            body=body,
            data={"type": "stale_timer", "screen": "task", "task_id": str(task.id)},
            now=now,
            record_skips=False,
        )
        count_outcome(counts, outcome)
        if notification is not None and outcome == "queued":
            queued.append(notification.id)
    return _send_queued(counts, queued)


def summary_ready_run(*, user_id, summary_date: date, now: datetime) -> PushCounts:
    counts = PushCounts()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return counts
    title, body = summary_ready_text(user.language)
    outcome, notification = notification_create(
        user=user,
        kind=Kind.SUMMARY_READY,
        dedupe_key=summary_date.isoformat(),
        title=title,
        body=body,
        data={"type": "summary_ready", "screen": "summary", "date": summary_date.isoformat()},
        now=now,
    )
    count_outcome(counts, outcome)
    return _send_queued(counts, [notification.id] if outcome == "queued" else [])


def weekly_review_run(*, user_id, review_id, week_start: date, now: datetime) -> PushCounts:
    counts = PushCounts()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return counts
    title, body = weekly_review_text(user.language)
    year, week, _ = week_start.isocalendar()
    outcome, notification = notification_create(
        user=user,
        kind=Kind.WEEKLY_REVIEW,
        dedupe_key=week_start.isoformat(),
        title=title,
        body=body,
        data={
            "type": "weekly_review",
            "screen": "review",
            "review_id": str(review_id),
            "week": f"{year}-W{week:02d}",
        },
        now=now,
    )
    count_outcome(counts, outcome)
    return _send_queued(counts, [notification.id] if outcome == "queued" else [])
