"""A day's figures, computed live from tasks, goals and check-ins (no table needed).

Used by the assistant's `get_summary` tool; the daily summary writer can store the same dict
as `DailySummary.stats`.
"""

from datetime import date

from checkins.selectors import checkin_stats
from goals.selectors import goal_progress_totals_on_day
from tasks.selectors import task_day_counts, time_report


def day_stats(*, user, day: date) -> dict:
    """Everything that happened on the user's local day `day`:

        {"date", "timezone",
         "tasks": {"created", "completed"},
         "tracked_seconds": {"total", "by_category": [{"category_id", "name", "seconds"}]},
         "goal_progress": [{"goal_id", "title", "unit", "total", "entries"}],
         "check_ins": {"count", "mood_avg", "energy_avg"}}

    Values are plain JSON types (ids and decimals as strings); the running timer counts up to
    now.
    """
    report = time_report(user=user, date_from=day, date_to=day)
    checkins = checkin_stats(user=user, date_from=day, date_to=day)["overall"]
    return {
        "date": day.isoformat(),
        "timezone": user.timezone,
        "tasks": task_day_counts(user=user, day=day),
        "tracked_seconds": {
            "total": report["total_seconds"],
            "by_category": [
                {
                    "category_id": str(row["category_id"]) if row["category_id"] else None,
                    "name": row["category"].name if row["category"] else None,
                    "seconds": row["seconds"],
                }
                for row in report["categories"]
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
            "count": checkins["count"],
            "mood_avg": checkins["mood_avg"],
            "energy_avg": checkins["energy_avg"],
        },
    }
