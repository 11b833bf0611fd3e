"""What the push jobs send, and to whom. Each function returns the run's counts.

The decisions (quiet hours, daily cap, preferences, once per key) are made by
`accounts.notifications.notification_create`; this module finds who is due. The forgotten
timer and the goal behind pace are asked as nudges (chat/nudges.py): the push opens a
conversation in which the assistant has asked already, and can be answered from its buttons.
"""

import statistics
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from accounts.models import Device, Notification, User
from accounts.notifications import (
    checkin_reminder_text,
    count_outcome,
    notification_create,
    parse_hhmm,
    stale_timer_title,
    summary_ready_text,
    weekly_review_text,
)
from accounts.push import PushCounts, push_send_pending
from chat import nudge_text
from chat.models import Nudge
from chat.nudges import nudge_open
from config.localtime import ONE_DAY, wall_clock_instant
from goals.models import Goal
from goals.pace import even_pace
from goals.selectors import goal_stats_many
from tasks.models import Task, TaskEvent

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


# The person's own stretches the stop proposal is sized by: the last STRETCH_SAMPLE finished
# ones, when there are at least STRETCH_MINIMUM; otherwise DEFAULT_STRETCH.
STRETCH_SAMPLE = 20
STRETCH_MINIMUM = 3
DEFAULT_STRETCH = timedelta(hours=1)
_ONE_MINUTE = timedelta(minutes=1)


def _usual_stretch(user_id) -> timedelta:
    """The median of the person's last finished stretches of work (paused, completed or
    corrected by them, not cut by the stale-timer job), or DEFAULT_STRETCH."""
    durations = list(
        TaskEvent.objects.filter(
            user_id=user_id,
            duration_seconds__gt=0,
            type__in=[
                TaskEvent.Type.PAUSED,
                TaskEvent.Type.COMPLETED,
                TaskEvent.Type.CORRECTED,
            ],
        )
        .exclude(source=TaskEvent.Source.SYSTEM)
        .order_by("-occurred_at")
        .values_list("duration_seconds", flat=True)[:STRETCH_SAMPLE]
    )
    if len(durations) < STRETCH_MINIMUM:
        return DEFAULT_STRETCH
    return timedelta(seconds=statistics.median(durations))


def proposed_stop(task: Task, now: datetime) -> datetime:
    """When the timer most likely stopped, for "did you stop at 18:10?" (docs/push.md): the
    moment it reached the task's estimate if that happened during this run, otherwise the
    start plus the person's usual stretch; to the minute, after the start and not after now."""
    start = task.running_since
    estimate = task.estimated_minutes
    if estimate is not None and task.tracked_seconds < estimate * 60:
        guess = start + timedelta(seconds=estimate * 60 - task.tracked_seconds)
    else:
        guess = start + _usual_stretch(task.user_id)
    guess = min(guess, now).replace(second=0, microsecond=0)
    if guess <= start:
        guess = min(start.replace(second=0, microsecond=0) + _ONE_MINUTE, now)
    return guess


def _asked(user_id, kind: str, key: str) -> bool:
    """Asked already: skip the question's figures (notification_create would refuse it too, under
    the user's lock, which is what makes it once; this only spares the work every run)."""
    return Notification.objects.filter(user_id=user_id, kind=kind, dedupe_key=key).exists()


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
        # One nudge per run of the timer: a pause and a new start is a new run.
        key = f"{task.id}:{task.running_since.isoformat()}"
        if not is_stale(task, now) or _asked(task.user_id, Kind.STALE_TIMER, key):
            continue
        user = task.user
        proposed = proposed_stop(task, now)
        outcome, notification = nudge_open(
            user=user,
            kind=Kind.STALE_TIMER,
            key=key,
            title=stale_timer_title(user.language, task_title=task.title),
            question=nudge_text.stale_timer_question(
                user=user,
                task_title=task.title,
                proposed=proposed,
                minutes=int((now - task.running_since).total_seconds() // 60),
            ),
            push_data={"type": "stale_timer", "task_id": str(task.id)},
            category=Nudge.Kind.STALE_TIMER,
            now=now,
            task=task,
            run_started_at=task.running_since,
            proposed_stopped_at=proposed,
        )
        count_outcome(counts, outcome)
        if notification is not None and outcome == "queued":
            queued.append(notification.id)
    return _send_queued(counts, queued)


# A goal is asked about once at least this share of its period has passed (docs/push.md).
PACE_MIN_ELAPSED = 0.5


def goal_behind_pace(goal: Goal, stats, *, user: User, now: datetime):
    """The goal's even pace (goals/pace.py) when it is behind it: at least PACE_MIN_ELAPSED of
    its current period (its unpaused days) has passed and its value this period is below what
    an even pace would have gained by now. None otherwise, and while it is paused."""
    pace = even_pace(goal, stats, tz=user.tz, now=now)
    if pace is None or pace.elapsed < PACE_MIN_ELAPSED:
        return None
    if stats.current_value >= pace.expected:
        return None
    return pace


def goal_pace_nudges_run(*, now: datetime) -> PushCounts:
    """Once a day per person, from PUSH_GOAL_PACE_HOUR local time until midnight (the job runs
    hourly; one push per goal and period, so the later runs of the evening find it sent, or
    send it when quiet hours or the daily cap held it back): a periodic goal behind pace."""
    counts, queued = PushCounts(), []
    goals = (
        Goal.objects.filter(
            status=Goal.Status.ACTIVE,
            period__in=[Goal.Period.DAILY, Goal.Period.WEEKLY, Goal.Period.MONTHLY],
            user__is_active=True,
        )
        .filter(_has_device("user_id"))
        .select_related("user")
        .order_by("user_id", "created_at", "id")
    )
    for _user_id, rows in groupby(goals.iterator(chunk_size=500), key=lambda g: g.user_id):
        rows = list(rows)
        user = rows[0].user
        if now.astimezone(user.tz).hour < settings.PUSH_GOAL_PACE_HOUR:
            continue
        stats = goal_stats_many(rows, user=user, now=now)
        for goal in rows:
            pace = goal_behind_pace(goal, stats[goal.pk], user=user, now=now)
            key = f"{goal.id}:{stats[goal.pk].period_start.isoformat()}"
            if pace is None or _asked(user.pk, Kind.GOAL_BEHIND_PACE, key):
                continue
            outcome, notification = nudge_open(
                user=user,
                kind=Kind.GOAL_BEHIND_PACE,
                key=key,
                title=nudge_text.goal_behind_title(user=user, goal_title=goal.title),
                question=nudge_text.goal_behind_question(
                    user=user,
                    goal=goal,
                    current=stats[goal.pk].current_value,
                    asked=pace.asked,
                    expected=pace.expected,
                ),
                push_data={"type": "goal_behind_pace", "goal_id": str(goal.id)},
                now=now,
                goal=goal,
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
