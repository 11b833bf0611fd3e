"""Reads for weekly reviews: the stored reviews, and a week's figures.

`week_stats` is what a review stores as `WeeklyReview.stats`. It reads through the other apps'
selectors where they have the figure (the time report, the check-in averages, the estimate
factor) and aggregates the rest over the models (tasks counted, goal progress summed), in a
fixed number of queries whatever the amount of data.

The week compared against is the same days of the week before: a review written on Sunday
evening compares Monday-Sunday with Monday-Sunday, one written on a Thursday Monday-Thursday
with Monday-Thursday (a partial week against a whole one would always look worse).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from checkins.selectors import checkin_stats
from config.ids import get_by_id
from config.localtime import local_range
from goals.models import Goal, GoalPause, GoalProgress
from goals.pauses import paused_days
from planning.errors import ReviewNotFound
from planning.models import WeeklyReview
from planning.selectors.estimates import ESTIMATE_MIN_SAMPLE, estimate_accuracy_factor
from planning.weeks import week_label
from tasks.models import Task
from tasks.selectors import time_report

WEEK = timedelta(days=7)


def review_list(*, user) -> QuerySet[WeeklyReview]:
    """The user's reviews, newest week first."""
    return WeeklyReview.objects.filter(user_id=user.pk).order_by("-week_start", "-id")


def review_get(*, user, review_id) -> WeeklyReview:
    """One of the user's reviews; a missing, malformed or someone else's id is the same 404."""
    return get_by_id(review_list(user=user), review_id, ReviewNotFound)


def reviewed_pairs(*, week_starts) -> set:
    """{(user_id, week_start)} of the reviews stored for those weeks (for the due sweep)."""
    return set(
        WeeklyReview.objects.filter(week_start__in=list(week_starts)).values_list(
            "user_id", "week_start"
        )
    )


def _checkins(days: list[dict]) -> dict:
    """Averages of a run of checkin_stats days, weighted by check-ins (not by days)."""
    counted = [row for row in days if row["count"]]
    count = sum(row["count"] for row in counted)

    def weighted(key):
        if not count:
            return None
        return round(sum(row[key] * row["count"] for row in counted) / count, 2)

    return {"count": count, "mood_avg": weighted("mood_avg"), "energy_avg": weighted("energy_avg")}


def _task_counts(*, user, window: tuple, previous: tuple) -> dict:
    completed = Q(status=Task.Status.COMPLETED)

    def within(field, bounds):
        return Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})

    return Task.objects.filter(user_id=user.pk).aggregate(
        completed=Count("pk", filter=completed & within("completed_at", window)),
        created=Count("pk", filter=within("created_at", window)),
        previous_completed=Count("pk", filter=completed & within("completed_at", previous)),
        previous_created=Count("pk", filter=within("created_at", previous)),
    )


def _goals(*, user, first: date, last: date, window: tuple) -> dict:
    """Active goals that moved (net progress logged in the window) and those that stalled
    (nothing logged, the goal older than the window, and not paused all of it)."""
    goals = list(
        Goal.objects.filter(user_id=user.pk, status=Goal.Status.ACTIVE, created_at__lt=window[1])
        .order_by("title", "pk")
        .only("pk", "title", "unit", "created_at")
    )
    totals = {
        row["goal_id"]: row
        for row in GoalProgress.objects.filter(
            user_id=user.pk, recorded_at__gte=window[0], recorded_at__lt=window[1]
        )
        .values("goal_id")
        .annotate(total=Sum("value"), entries=Count("pk"))
        .order_by()
    }
    pauses: dict = defaultdict(list)
    for goal_id, start, end in GoalPause.objects.filter(
        user_id=user.pk, date_from__lte=last, date_to__gte=first
    ).values_list("goal_id", "date_from", "date_to"):
        pauses[goal_id].append((start, end))
    days = (last - first).days + 1
    moved, stalled = [], []
    for goal in goals:
        row = totals.get(goal.pk)
        if row and row["total"] > 0:
            moved.append(
                {
                    "goal_id": str(goal.pk),
                    "title": goal.title,
                    "unit": goal.unit,
                    "total": str(row["total"]),
                    "entries": row["entries"],
                }
            )
        elif (
            row is None
            and goal.created_at < window[0]
            and paused_days(pauses[goal.pk], first, last) < days
        ):
            stalled.append({"goal_id": str(goal.pk), "title": goal.title})
    return {"moved": moved, "stalled": stalled}


def week_stats(*, user, week_start: date, now: datetime | None = None) -> dict:
    """The figures of the user's ISO week starting on `week_start` (a Monday), up to `now`
    (default: the real clock) when the week is still running, and of the same days of the
    week before:

        {"week", "from", "to", "days", "timezone",
         "tracked_seconds": {"total", "previous_total",
                             "by_category": [{"category_id", "name", "seconds"}],
                             "busiest_day": null | {"date", "weekday", "seconds"}},
         "tasks": {"completed", "created", "previous_completed", "previous_created"},
         "goals": {"moved": [{"goal_id", "title", "unit", "total", "entries"}],
                   "stalled": [{"goal_id", "title"}]},
         "check_ins": {"count", "mood_avg", "energy_avg",
                       "previous": {"count", "mood_avg", "energy_avg"}},
         "estimates": {"factor", "ratio", "sample", "enough"}}
    """
    now = now or timezone.now()
    tz = user.tz
    today = now.astimezone(tz).date()
    last = min(week_start + timedelta(days=6), max(today, week_start))
    previous_first, previous_last = week_start - WEEK, last - WEEK
    window, previous = (
        local_range(week_start, last, tz),
        local_range(previous_first, previous_last, tz),
    )

    report = time_report(user=user, date_from=previous_first, date_to=last, now=now)
    this_week = [day for day in report["days"] if day["date"] >= week_start]
    week_before = [day for day in report["days"] if day["date"] <= previous_last]
    names = {
        row["category_id"]: getattr(row["category"], "name", None) for row in report["categories"]
    }
    by_category: dict = defaultdict(int)
    for day in this_week:
        for row in day["categories"]:
            by_category[row["category_id"]] += row["seconds"]
    busiest = max(this_week, key=lambda day: day["total_seconds"])

    checkins = checkin_stats(user=user, date_from=previous_first, date_to=last)["days"]
    accuracy = estimate_accuracy_factor(user=user, now=now)
    return {
        "week": week_label(week_start),
        "from": week_start.isoformat(),
        "to": last.isoformat(),
        "days": (last - week_start).days + 1,
        "timezone": user.timezone,
        "tracked_seconds": {
            "total": sum(day["total_seconds"] for day in this_week),
            "previous_total": sum(day["total_seconds"] for day in week_before),
            "by_category": [
                {
                    "category_id": str(category_id) if category_id else None,
                    "name": names.get(category_id),
                    "seconds": seconds,
                }
                for category_id, seconds in sorted(
                    by_category.items(), key=lambda item: (-item[1], str(item[0] or ""))
                )
                if seconds
            ],
            "busiest_day": None
            if not busiest["total_seconds"]
            else {
                "date": busiest["date"].isoformat(),
                "weekday": busiest["date"].isoweekday(),
                "seconds": busiest["total_seconds"],
            },
        },
        "tasks": _task_counts(user=user, window=window, previous=previous),
        "goals": _goals(user=user, first=week_start, last=last, window=window),
        "check_ins": {
            **_checkins([day for day in checkins if day["date"] >= week_start]),
            "previous": _checkins([day for day in checkins if day["date"] <= previous_last]),
        },
        "estimates": {
            "factor": str(accuracy.factor),
            "ratio": None if accuracy.ratio is None else str(accuracy.ratio),
            "sample": accuracy.sample,
            "enough": accuracy.sample >= ESTIMATE_MIN_SAMPLE,
        },
    }
