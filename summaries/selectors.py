"""Reads for summaries: a day's figures computed live, and the stored summaries.

`day_stats` is what a daily summary stores as `DailySummary.stats` and what the assistant's
`get_summary` tool answers when nothing is stored. It reads through the other apps'
selectors in a fixed number of queries (at most 8), however many tasks, time entries,
check-ins or goals the user has: the time report and the check-in averages cover the day and
the 7 days before it in one pass each, and the task counts are one aggregate.
"""

from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from checkins.selectors import checkin_stats
from config.localtime import local_day_bounds
from goals.selectors import goal_progress_entry_count, goal_progress_totals_on_day
from summaries.errors import SummaryNotFound
from summaries.models import DailySummary
from tasks.selectors import running_task, task_counts_by_window, time_report

BASELINE_DAYS = 7


def _average(total, days: int = BASELINE_DAYS) -> float:
    return round(total / days, 1)


def day_stats(*, user, day: date, now: datetime | None = None) -> dict:
    """Everything that happened on the user's local day `day`, and the 7 days before it:

        {"date", "timezone",
         "tasks": {"created", "completed"},
         "tracked_seconds": {"total", "by_category": [{"category_id", "name", "seconds"}]},
         "goal_progress": [{"goal_id", "title", "unit", "total", "entries"}],
         "check_ins": {"count", "mood_avg", "energy_avg"},
         "running_timer": null | {"task_id", "title", "since"},
         "baseline": {"from", "to", "days", "tasks_created_avg", "tasks_completed_avg",
                      "tracked_seconds_avg", "goal_progress_entries",
                      "check_ins": {"count", "mood_avg", "energy_avg"}}}

    Values are plain JSON types (ids and decimals as strings); a running timer counts up to
    `now` (default: the real clock) and is listed when it started before the day ended.
    """
    now = now or timezone.now()
    first = day - timedelta(days=BASELINE_DAYS)
    report = time_report(user=user, date_from=first, date_to=day, now=now)
    checkins = checkin_stats(user=user, date_from=first, date_to=day)
    counts = task_counts_by_window(user=user, day=day, previous_days=BASELINE_DAYS)
    categories = {row["category_id"]: row["category"] for row in report["categories"]}
    today = report["days"][-1]
    checkins_today = checkins["days"][-1]
    before = [row for row in checkins["days"][:-1] if row["count"]]
    before_count = sum(row["count"] for row in before)

    def weighted(key):
        if not before_count:
            return None
        return round(sum(row[key] * row["count"] for row in before) / before_count, 2)

    running = running_task(user=user)
    if running is not None and running.running_since >= local_day_bounds(day, user.tz)[1]:
        running = None
    return {
        "date": day.isoformat(),
        "timezone": user.timezone,
        "tasks": {"created": counts["created"], "completed": counts["completed"]},
        "tracked_seconds": {
            "total": today["total_seconds"],
            "by_category": [
                {
                    "category_id": str(row["category_id"]) if row["category_id"] else None,
                    "name": getattr(categories.get(row["category_id"]), "name", None),
                    "seconds": row["seconds"],
                }
                for row in today["categories"]
            ],
        },
        "goal_progress": [
            {
                "goal_id": str(row["goal_id"]),
                "title": row["title"],
                "unit": row["unit"],
                "total": str(row["total"]),
                "entries": row["entries"],
            }
            for row in goal_progress_totals_on_day(user=user, day=day)
        ],
        "check_ins": {
            "count": checkins_today["count"],
            "mood_avg": checkins_today["mood_avg"],
            "energy_avg": checkins_today["energy_avg"],
        },
        "running_timer": None
        if running is None
        else {
            "task_id": str(running.pk),
            "title": running.title,
            "since": running.running_since.isoformat(),
        },
        "baseline": {
            "from": first.isoformat(),
            "to": (day - timedelta(days=1)).isoformat(),
            "days": BASELINE_DAYS,
            "tasks_created_avg": _average(counts["previous_created"]),
            "tasks_completed_avg": _average(counts["previous_completed"]),
            "tracked_seconds_avg": round(
                sum(row["total_seconds"] for row in report["days"][:-1]) / BASELINE_DAYS
            ),
            "goal_progress_entries": goal_progress_entry_count(
                user=user, date_from=first, date_to=day - timedelta(days=1)
            ),
            "check_ins": {
                "count": before_count,
                "mood_avg": weighted("mood_avg"),
                "energy_avg": weighted("energy_avg"),
            },
        },
    }


def summary_list(
    *, user, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[DailySummary]:
    """The user's stored summaries, newest day first; `date_from`/`date_to` are inclusive."""
    queryset = DailySummary.objects.filter(user_id=user.pk)
    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(date__lte=date_to)
    return queryset.order_by("-date", "-id")


def summary_find(*, user, day: date) -> DailySummary | None:
    return DailySummary.objects.filter(user_id=user.pk, date=day).first()


def summary_get(*, user, day: date) -> DailySummary:
    """The user's summary of local day `day`; none stored (or someone else's) is a 404."""
    summary = summary_find(user=user, day=day)
    if summary is None:
        raise SummaryNotFound()
    return summary
