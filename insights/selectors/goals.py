"""Each active goal's pace: on track or behind, and the day its target is reached at the
current rate, from the goals app's own figures (docs/insights.md)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from accounts.models import User
from config.fields import LATEST_DATE
from config.localtime import local_midnight, local_range, local_today, period_bounds
from goals.models import Goal, GoalProgress
from goals.selectors import goal_list, goal_stats_many
from insights.selectors.common import MIN_GOAL_ENTRIES, OK, entries_short, figure

# Active goals read (as the assistant's list_goals).
MAX_GOALS = 50


def _window_entries(goals: list[Goal], *, user: User, today: date) -> dict:
    """{goal_id: (entries, first recorded_at)} in each goal's window: the current period of a
    periodic goal, all of a goal without a period. One query."""
    window = Q(goal_id__in=[g.pk for g in goals if not g.is_periodic])
    for period in (Goal.Period.DAILY, Goal.Period.WEEKLY, Goal.Period.MONTHLY):
        ids = [g.pk for g in goals if g.period == period]
        if ids:
            start, end = local_range(*period_bounds(period, today), user.tz)
            window |= Q(goal_id__in=ids, recorded_at__gte=start, recorded_at__lt=end)
    rows = (
        GoalProgress.objects.filter(window, user=user)
        .values("goal_id")
        .annotate(n=Count("id"), first=Min("recorded_at"))
        .order_by()
    )
    return {row["goal_id"]: (row["n"], row["first"]) for row in rows}


def _projected_date(value: Decimal, remaining: Decimal, since: datetime, now: datetime, tz):
    """The local date the target is reached if progress goes on at the rate since `since`."""
    elapsed = (now - since).total_seconds()
    if value <= 0 or elapsed <= 0:
        return None
    seconds = float(remaining) * elapsed / float(value)
    try:
        projected = (now + timedelta(seconds=seconds)).astimezone(tz).date()
    except OverflowError:
        return None
    return projected if projected <= LATEST_DATE else None


def _pace(goal: Goal, stats, entries: tuple, *, now: datetime, tz) -> dict:
    n, first = entries
    if goal.is_periodic:
        since = local_midnight(stats.period_start, tz)
        deadline = stats.period_end
    else:
        since = local_midnight(goal.start_date, tz)
        since = min(since, first) if first else since  # progress back-dated before the start
        deadline = goal.due_date
    row = {
        "goal_id": str(goal.pk),
        "title": goal.title,
        "period": goal.period,
        "unit": goal.unit,
        "target_value": goal.target_value,
        "current_value": stats.current_value,
        "progress_percent": stats.progress_percent,
        "deadline": deadline,
    }
    if stats.current_value >= goal.target_value:
        # Reached (this period): a fact, not a projection, whatever the number of entries.
        reached = {"pace": "reached", "projected_date": None, "expected_value": None}
        return {**row, "n": n, "minimum": MIN_GOAL_ENTRIES, "status": OK, **reached}
    values = {"pace": None, "projected_date": None, "expected_value": None}
    if n >= MIN_GOAL_ENTRIES:
        projected = _projected_date(stats.current_value, stats.remaining, since, now, tz)
        expected = None
        if deadline is not None:
            span = (local_midnight(deadline + timedelta(days=1), tz) - since).total_seconds()
            share = min(max((now - since).total_seconds() / span, 0), 1) if span > 0 else 1
            expected = (goal.target_value * Decimal(share)).quantize(Decimal("0.01"))
            pace = "on_track" if projected is not None and projected <= deadline else "behind"
        else:
            pace = "no_deadline"
        values = {"pace": pace, "projected_date": projected, "expected_value": expected}
    return {**row, **figure(n, MIN_GOAL_ENTRIES, entries_short, values)}


def goal_pace(*, user: User, now: datetime | None = None) -> list[dict]:
    """Each active goal's pace as of `now` (default: now), with the goals app's own figures
    (goal_stats_many: current value, period) and its progress entries in the goal's window.

    At the rate of progress since the window began (the current period's first day, or a goal
    without a period's start date or first entry, if earlier), the projected date is the local
    day the target is reached; the pace is `on_track` when that is not after the deadline (the
    period's last day, or the due date), `behind` otherwise or when nothing has been gained,
    `no_deadline` for a goal without a period or due date, `reached` once the target is met.
    `expected_value` is what an even pace would have gained by now."""
    now = now or timezone.now()
    tz = user.tz
    goals = list(goal_list(user=user, status=Goal.Status.ACTIVE)[:MAX_GOALS])
    stats = goal_stats_many(goals, user=user, now=now)
    entries = _window_entries(goals, user=user, today=local_today(tz, now)) if goals else {}
    return [
        _pace(goal, stats[goal.pk], entries.get(goal.pk, (0, None)), now=now, tz=tz)
        for goal in goals
    ]
