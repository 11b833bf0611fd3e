"""Reads for goals: lists, one goal, progress on a local day, and goal statistics.

A goal's computed fields (current_value, progress_percent, remaining, period window, streak)
are built by `goal_stats` / `goal_stats_many` from one query over the goals' progress, summed
per period over a bounded streak window: serializing a page of N goals costs the same number
of queries as serializing one, and reads only that page's progress.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.db import connections
from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from config.ids import get_by_id, parse_uuid
from config.localtime import (
    local_midnight,
    local_range,
    local_today,
    period_bounds,
    previous_period_start,
)
from goals.errors import GoalNotFound, GoalPauseNotFound
from goals.models import Goal, GoalPause, GoalProgress
from goals.pauses import Span, paused_until, period_met

ZERO = Decimal("0.00")
CENTS = Decimal("0.01")
# Sums can outgrow a single value's precision; give the aggregate room.
SUM_FIELD = DecimalField(max_digits=20, decimal_places=2)
# How far back a streak is counted, in periods before the current one: the history a page of
# goals reads is bounded (docs/goals.md).
STREAK_MAX_PERIODS = {"daily": 366, "weekly": 104, "monthly": 36}


@dataclass(frozen=True)
class GoalStats:
    current_value: Decimal
    total_value: Decimal
    progress_percent: int
    remaining: Decimal
    period_start: date | None
    period_end: date | None
    streak: int | None
    # The last day of the pause today falls in (docs/goals.md, "Pausing a goal").
    paused_until: date | None = None
    # The pauses read for the streak (those reaching into its window), for goals/pace.py.
    pauses: tuple[Span, ...] = ()


def goal_list(*, user: User, status: str | None = None) -> QuerySet:
    """The user's goals, newest first: plain rows, so a page and its count are one cheap query;
    the serializer reads the statistics of the page's goals only (`goal_stats_many`)."""
    queryset = Goal.objects.filter(user=user)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def goal_get(*, user: User, goal_id) -> Goal:
    """One of the user's goals; a missing, malformed or someone else's id is the same 404."""
    goal = get_by_id(goal_list(user=user), goal_id, GoalNotFound)
    goal.user = user  # the row's owner, already read: no second query for it
    return goal


def goal_ref(*, user: User, goal_id) -> Goal:
    """An unsaved reference to the user's goal by id, for services that lock and read the row
    themselves (a missing or another user's goal is their 404); a malformed id is a 404 now."""
    pk = parse_uuid(goal_id)
    if pk is None:
        raise GoalNotFound()
    return Goal(pk=pk, user_id=user.pk)


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


@functools.lru_cache(maxsize=64)
def _window_start(period: str, today: date) -> date:
    """The first period a streak looks back to: STREAK_MAX_PERIODS before the current one."""
    start = period_bounds(period, today)[0]
    for _ in range(STREAK_MAX_PERIODS[period]):
        start = previous_period_start(period, start)
    return start


def _day_sums_sql(connection, goals: int) -> str:
    """Per goal, its progress summed per local day since a bound, and before it in one NULL
    day. The local day is the backend's own conversion (`datetime_cast_date_sql`, the time
    zone a parameter), so the SQL depends only on the vendor and the number of goals."""
    key = (connection.vendor, goals)
    sql = _sql_by_shape.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        recorded = f"{qn('goal_progress')}.{qn('recorded_at')}"
        local_day, _params = connection.ops.datetime_cast_date_sql(recorded, (), "UTC")
        ids = ", ".join(["%s"] * goals)
        sql = _sql_by_shape[key] = (
            f"SELECT {qn('goal_id')}, CASE WHEN {recorded} >= %s THEN {local_day} END,"  # noqa: S608
            f" SUM({qn('value')}) FROM {qn('goal_progress')}"
            f" WHERE {qn('goal_id')} IN ({ids}) GROUP BY 1, 2"
        )
    return sql


# SQL written once per (vendor, goal count): the IN list is as long as the page.
_sql_by_shape: dict = {}


def _period_sums(goals: list[Goal], *, user: User, today: date) -> dict:
    """{goal_id: {period start or None: sum}} in one query: a periodic goal's progress summed
    per local period over (at least) its streak window, and everything else (older progress,
    goals without a period) in the None bucket.

    PostgreSQL sums per local day, bounded by the longest streak window among the goals, and
    the days are rolled into weeks and months here: a handful of rows per goal, and SQL that
    is written once (the ORM took three times as long to compile the same query as
    PostgreSQL took to run it)."""
    periodic = {goal.period for goal in goals if goal.is_periodic}
    if periodic:
        since = min(local_midnight(_window_start(period, today), user.tz) for period in periodic)
    else:
        since = local_midnight(today, user.tz) + timedelta(days=1)  # everything in None
    connection = connections[GoalProgress.objects.db]
    recorded_at = GoalProgress._meta.get_field("recorded_at")
    goal_id = GoalProgress._meta.get_field("goal").target_field
    params = [
        recorded_at.get_db_prep_value(since, connection),
        *connection.ops.datetime_cast_date_sql("", (), str(user.tz))[1],
        *(goal_id.get_db_prep_value(goal.pk, connection) for goal in goals),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_day_sums_sql(connection, len(goals)), params)
        rows = cursor.fetchall()
    periods = {goal.pk: goal.period for goal in goals}
    sums: dict = defaultdict(dict)
    for goal_pk, day, total in rows:
        goal_pk = goal_id.to_python(goal_pk)
        period = periods[goal_pk]
        bucket = None
        if day is not None and period in STREAK_MAX_PERIODS:
            day = day if isinstance(day, date) else date.fromisoformat(day)
            bucket = period_bounds(period, day)[0]
        total = total if isinstance(total, Decimal) else Decimal(str(total)).quantize(CENTS)
        per_goal = sums[goal_pk]
        per_goal[bucket] = per_goal.get(bucket, ZERO) + total
    return sums


def _streak(goal: Goal, per_period: dict, current: date, pauses: list[Span] = ()) -> int:
    """Consecutive met periods ending with the last complete one, plus the current one if met,
    counted back at most STREAK_MAX_PERIODS periods.

    An unmet current period does not break the streak (it is still running); an unmet past
    period does, unless it was paused entirely (skipped); a period paused in part asks its
    share of the target (goals/pauses.py).
    """

    def met(start: date) -> bool | None:
        total = per_period.get(start, ZERO)
        return period_met(goal.period, start, total, goal.target_value, pauses)

    streak = 1 if met(current) else 0
    start = previous_period_start(goal.period, current)
    for _ in range(STREAK_MAX_PERIODS[goal.period]):
        outcome = met(start)
        if outcome is False:
            break
        streak += 1 if outcome else 0
        start = previous_period_start(goal.period, start)
    return streak


def _pauses(goals: list[Goal], *, today: date) -> dict:
    """{goal_id: [(first day, last day)]} of the periodic goals' pauses that reach into their
    streak window, in one query; none (and no query) when no goal of the batch is periodic."""
    periodic = [goal for goal in goals if goal.is_periodic]
    if not periodic:
        return {}
    since = min(_window_start(goal.period, today) for goal in periodic)
    connection = connections[GoalPause.objects.db]
    meta = GoalPause._meta
    goal_id = meta.get_field("goal").target_field
    params = [
        *(goal_id.get_db_prep_value(goal.pk, connection) for goal in periodic),
        meta.get_field("date_to").get_db_prep_value(since, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_pauses_sql(connection, len(periodic)), params)
        rows = cursor.fetchall()
    pauses: dict = defaultdict(list)
    for pk, first, last in rows:
        # SQLite answers dates as text; PostgreSQL as dates.
        first = first if isinstance(first, date) else date.fromisoformat(first)
        last = last if isinstance(last, date) else date.fromisoformat(last)
        pauses[goal_id.to_python(pk)].append((first, last))
    return pauses


def _pauses_sql(connection, goals: int) -> str:
    """The pauses of `goals` goals that end on or after a day; SQL written once per vendor and
    goal count (config/sql.py explains why hot statements skip the ORM)."""
    key = ("pauses", connection.vendor, goals)
    sql = _sql_by_shape.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        meta = GoalPause._meta
        columns = ", ".join(
            qn(meta.get_field(name).column) for name in ("goal", "date_from", "date_to")
        )
        ids = ", ".join(["%s"] * goals)
        sql = _sql_by_shape[key] = (
            f"SELECT {columns} FROM {qn(meta.db_table)}"  # noqa: S608
            f" WHERE {qn(meta.get_field('goal').column)} IN ({ids})"
            f" AND {qn(meta.get_field('date_to').column)} >= %s"
        )
    return sql


def _percent(current: Decimal, target: Decimal) -> int:
    """0-100, rounded down, so 100 means the target is really met."""
    if current <= 0:
        return 0
    percent = (current * 100 / target).to_integral_value(rounding=ROUND_FLOOR)
    return int(min(percent, Decimal(100)))


def _build(goal: Goal, *, sums: dict, today: date, pauses: list[Span] = ()) -> GoalStats:
    total = sum(sums.values(), ZERO)
    if goal.is_periodic:
        period_start, period_end = period_bounds(goal.period, today)
        current = sums.get(period_start, ZERO)
        streak = _streak(goal, sums, period_start, pauses)
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
        paused_until=paused_until(pauses, today),
        pauses=tuple(pauses),
    )


def goal_stats_many(
    goals: Iterable[Goal], *, user: User | None = None, now: datetime | None = None
) -> dict:
    """{goal.id: GoalStats} for goals of one user, in one query whatever their number (a page
    of the list reads only its own goals' progress)."""
    goals = list(goals)
    if not goals:
        return {}
    user = user or goals[0].user
    today = local_today(user.tz, now)
    sums = _period_sums(goals, user=user, today=today)
    pauses = _pauses(goals, today=today)
    return {
        g.pk: _build(g, sums=sums.get(g.pk, {}), today=today, pauses=pauses.get(g.pk, []))
        for g in goals
    }


def new_goal_stats(goal: Goal, *, user: User) -> GoalStats:
    """The statistics of a goal just created: no progress yet, so no query."""
    return _build(goal, sums={}, today=local_today(user.tz))


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


def goal_pause_list(*, goal: Goal) -> QuerySet:
    """A goal's pauses, latest first."""
    return GoalPause.objects.filter(goal=goal, user_id=goal.user_id).order_by(
        "-date_from", "-created_at", "-id"
    )


def goal_pause_get(*, goal: Goal, pause_id) -> GoalPause:
    """One pause of the goal; a missing, malformed or another goal's id is the same 404."""
    return get_by_id(goal_pause_list(goal=goal), pause_id, GoalPauseNotFound)
