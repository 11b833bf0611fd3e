"""Reads for goals: annotated lists, one goal, progress on a local day, and goal statistics.

A goal's computed fields (current_value, progress_percent, remaining, period window, streak)
are built by `goal_stats` / `goal_stats_many`. Lists come annotated with the sums they need,
and streaks for a whole page are read with one extra query, so serializing N goals costs the
same number of queries as serializing one.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Count, DateField, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import User
from config.localtime import local_range, local_today, period_bounds, previous_period_start
from goals.errors import GoalNotFound
from goals.models import Goal, GoalProgress

ZERO = Decimal("0.00")
# Sums can outgrow a single value's precision; give the aggregate room.
SUM_FIELD = DecimalField(max_digits=20, decimal_places=2)
PERIODS = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class GoalStats:
    current_value: Decimal
    total_value: Decimal
    progress_percent: int
    remaining: Decimal
    period_start: date | None
    period_end: date | None
    streak: int | None


def _sum(condition: Q | None = None):
    return Coalesce(
        Sum("progress__value", filter=condition, output_field=SUM_FIELD),
        Value(ZERO, output_field=SUM_FIELD),
        output_field=SUM_FIELD,
    )


def _annotate(queryset: QuerySet, *, user: User, today: date) -> QuerySet:
    """Adds `total_value` and `value_daily` / `value_weekly` / `value_monthly` (the sums inside
    the period containing `today`, in the user's timezone)."""
    tz = user.tz
    annotations = {"total_value": _sum()}
    for period in PERIODS:
        start, end = local_range(*period_bounds(period, today), tz)
        annotations[f"value_{period}"] = _sum(
            Q(progress__recorded_at__gte=start, progress__recorded_at__lt=end)
        )
    return queryset.annotate(**annotations, annotated_for=Value(today, output_field=DateField()))


def goal_list(*, user: User, status: str | None = None, today: date | None = None) -> QuerySet:
    """The user's goals, newest first, annotated for `goal_stats` (no per-row queries)."""
    today = today or local_today(user.tz)
    queryset = Goal.objects.filter(user=user).select_related("category", "user")
    if status:
        queryset = queryset.filter(status=status)
    return _annotate(queryset, user=user, today=today).order_by("-created_at", "-id")


def goal_get(*, user: User, goal_id) -> Goal:
    """One of the user's goals; a missing, malformed or someone else's id is the same 404."""
    try:
        goal_uuid = goal_id if isinstance(goal_id, uuid.UUID) else uuid.UUID(str(goal_id))
    except (TypeError, ValueError, AttributeError) as exc:
        raise GoalNotFound() from exc
    try:
        return goal_list(user=user).get(pk=goal_uuid)
    except Goal.DoesNotExist as exc:
        raise GoalNotFound() from exc


def goal_progress_list(*, goal: Goal) -> QuerySet:
    """A goal's progress entries, newest first."""
    return GoalProgress.objects.filter(goal=goal, user_id=goal.user_id).order_by(
        "-recorded_at", "-created_at", "-id"
    )


def goal_progress_on_day(*, user: User, day: date) -> QuerySet:
    """Progress the user logged on local day `day` (their timezone), oldest first."""
    start, end = local_range(day, day, user.tz)
    return (
        GoalProgress.objects.filter(user=user, recorded_at__gte=start, recorded_at__lt=end)
        .select_related("goal")
        .order_by("recorded_at", "created_at", "id")
    )


def goal_progress_totals_on_day(*, user: User, day: date) -> list[dict]:
    """Per goal: what was logged on local day `day` -> [{goal_id, title, unit, total, entries}]."""
    start, end = local_range(day, day, user.tz)
    rows = (
        GoalProgress.objects.filter(user=user, recorded_at__gte=start, recorded_at__lt=end)
        .values("goal_id", "goal__title", "goal__unit")
        .annotate(total=Sum("value", output_field=SUM_FIELD), entries=Count("id"))
        .order_by("goal__title", "goal_id")
    )
    return [
        {
            "goal_id": row["goal_id"],
            "title": row["goal__title"],
            "unit": row["goal__unit"],
            "total": row["total"],
            "entries": row["entries"],
        }
        for row in rows
    ]


def goal_progress_entry_count(*, user: User, date_from: date, date_to: date) -> int:
    """How many progress entries the user logged over local days `date_from`..`date_to`."""
    start, end = local_range(date_from, date_to, user.tz)
    return GoalProgress.objects.filter(
        user=user, recorded_at__gte=start, recorded_at__lt=end
    ).count()


def _daily_sums(goal_ids: list, *, user: User) -> dict:
    """{goal_id: {local_date: sum}} for the given goals, in one query."""
    if not goal_ids:
        return {}
    rows = (
        GoalProgress.objects.filter(goal_id__in=goal_ids)
        .annotate(day=TruncDate("recorded_at", tzinfo=user.tz))
        .values("goal_id", "day")
        .annotate(total=Sum("value", output_field=SUM_FIELD))
        .order_by()
    )
    sums: dict = defaultdict(dict)
    for row in rows:
        sums[row["goal_id"]][row["day"]] = row["total"]
    return sums


def _streak(goal: Goal, days: dict, today: date) -> int:
    """Consecutive met periods ending with the last complete one, plus the current one if met.

    An unmet current period does not break the streak (it is still running); an unmet past
    period does.
    """
    per_period: dict[date, Decimal] = defaultdict(Decimal)
    for day, total in days.items():
        per_period[period_bounds(goal.period, day)[0]] += total
    current = period_bounds(goal.period, today)[0]
    streak = 1 if per_period.get(current, ZERO) >= goal.target_value else 0
    start = previous_period_start(goal.period, current)
    earliest = min(per_period, default=current)
    while start >= earliest and per_period.get(start, ZERO) >= goal.target_value:
        streak += 1
        start = previous_period_start(goal.period, start)
    return streak


def _percent(current: Decimal, target: Decimal) -> int:
    """0-100, rounded down, so 100 means the target is really met."""
    if current <= 0:
        return 0
    percent = (current * 100 / target).to_integral_value(rounding=ROUND_FLOOR)
    return int(min(percent, Decimal(100)))


SUM_NAMES = ("total_value", *(f"value_{p}" for p in PERIODS))


def _build(goal: Goal, *, sums: dict, today: date, days: dict | None) -> GoalStats:
    total = sums["total_value"]
    if goal.is_periodic:
        current = sums[f"value_{goal.period}"]
        period_start, period_end = period_bounds(goal.period, today)
        streak = _streak(goal, days or {}, today)
    else:
        current, period_start, period_end, streak = total, None, None, None
    return GoalStats(
        current_value=current,
        total_value=total,
        progress_percent=_percent(current, goal.target_value),
        remaining=max(goal.target_value - current, ZERO),
        period_start=period_start,
        period_end=period_end,
        streak=streak,
    )


def goal_stats_many(
    goals: Iterable[Goal], *, user: User | None = None, now: datetime | None = None
) -> dict:
    """{goal.id: GoalStats} for goals of one user, with at most two queries whatever their
    number: the sums (skipped when the goals come annotated from `goal_list` for the same day)
    and the daily history of the periodic ones (for streaks)."""
    goals = list(goals)
    if not goals:
        return {}
    user = user or goals[0].user
    today = local_today(user.tz, now)
    sums = {}
    for goal in goals:
        if getattr(goal, "annotated_for", None) == today:
            sums[goal.pk] = {name: getattr(goal, name) for name in SUM_NAMES}
    missing = [g.pk for g in goals if g.pk not in sums]
    if missing:
        fresh = _annotate(Goal.objects.filter(pk__in=missing), user=user, today=today)
        for row in fresh.values("pk", *SUM_NAMES):
            sums[row.pop("pk")] = row
    history = _daily_sums([g.pk for g in goals if g.is_periodic], user=user)
    return {g.pk: _build(g, sums=sums[g.pk], today=today, days=history.get(g.pk)) for g in goals}


def goal_stats(goal: Goal, *, user: User | None = None, now: datetime | None = None) -> GoalStats:
    """current_value / total_value / progress_percent / remaining / period_start / period_end /
    streak for one goal, as of `now` (default: now) in the user's timezone."""
    return goal_stats_many([goal], user=user, now=now)[goal.pk]


def goal_total(*, goal: Goal) -> Decimal:
    """The sum of all progress ever logged on the goal (what decides achievement)."""
    result = GoalProgress.objects.filter(goal=goal).aggregate(
        total=Coalesce(Sum("value", output_field=SUM_FIELD), Value(ZERO, output_field=SUM_FIELD))
    )
    return result["total"]
