"""Mood and energy against what the person did: the categories worked on the day of a
check-in, the hour of day and the weekday (docs/insights.md)."""

from datetime import date, datetime

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from accounts.models import User
from checkins.selectors import checkin_list
from insights.selectors.common import (
    INSUFFICIENT,
    MIN_CHECKINS,
    MIN_GROUP_CHECKINS,
    OK,
    checkins_short,
    figure,
    rounded,
    uncategorized,
)
from tasks.selectors import time_report

# A check-in is "with" a category when its local day has at least this much time tracked in it.
CATEGORY_MINUTES = 30
# The categories compared, most tracked first (what a person can read on one screen).
MAX_CATEGORIES = 20
# Local hour of the check-in: [from, to).
HOUR_BUCKETS = (("night", 0, 6), ("morning", 6, 12), ("afternoon", 12, 18), ("evening", 18, 24))


def _hour_labels() -> dict:
    return {
        "night": _("Night (0-6 h)"),
        "morning": _("Morning (6-12 h)"),
        "afternoon": _("Afternoon (12-18 h)"),
        "evening": _("Evening (18-24 h)"),
    }


def _means(rows: list[tuple]) -> tuple[float, float] | None:
    """Mean mood and energy of check-in rows (local moment, mood, energy), unrounded."""
    if not rows:
        return None
    return sum(r[1] for r in rows) / len(rows), sum(r[2] for r in rows) / len(rows)


def _mood_group(rows: list[tuple], minimum: int = MIN_GROUP_CHECKINS) -> dict:
    means = _means(rows)
    values = {
        "mood_avg": rounded(means[0]) if means else None,
        "energy_avg": rounded(means[1]) if means else None,
    }
    return figure(len(rows), minimum, checkins_short, values)


def _by_category(rows: list[tuple], report: dict) -> list[dict]:
    """For each category worked on in the range: check-ins on local days with at least
    CATEGORY_MINUTES tracked in it ("with") against those on the other days ("without")."""
    seconds_on = {day["date"]: day["categories"] for day in report["days"]}
    per_day = {
        day: {c["category_id"]: c["seconds"] for c in categories}
        for day, categories in seconds_on.items()
    }
    threshold = CATEGORY_MINUTES * 60
    result = []
    for item in report["categories"][:MAX_CATEGORIES]:
        category_id, category = item["category_id"], item["category"]
        with_, without = [], []
        for row in rows:
            tracked = per_day.get(row[0].date(), {}).get(category_id, 0)
            (with_ if tracked >= threshold else without).append(row)
        group_with, group_without = _mood_group(with_), _mood_group(without)
        both = OK if group_with["status"] == group_without["status"] == OK else INSUFFICIENT
        # From the unrounded means: the difference of two rounded averages can be off by 0.01.
        difference = [None, None]
        if both == OK:
            (mood_with, energy_with), (mood_without, energy_without) = (
                _means(with_),
                _means(without),
            )
            difference = [rounded(mood_with - mood_without), rounded(energy_with - energy_without)]
        result.append(
            {
                "category_id": str(category_id) if category_id else None,
                "name": category.name if category is not None else uncategorized(),
                "tracked_minutes": item["seconds"] // 60,
                "status": both,
                "with": group_with,
                "without": group_without,
                "mood_difference": difference[0],
                "energy_difference": difference[1],
            }
        )
    return result


def mood_insights(
    *, user: User, date_from: date, date_to: date, now: datetime | None = None
) -> dict:
    """Mood and energy over local days `date_from`..`date_to`: overall, against the categories
    worked on (time tracked on the day of the check-in), the hour of the day and the weekday.

    The unit is the check-in: a day with three check-ins counts three times. Averages are of
    the 1-5 scores, rounded to 2 decimals; a difference is "with" minus "without"."""
    tz = user.tz
    rows = [
        (recorded_at.astimezone(tz), mood, energy)
        for recorded_at, mood, energy in checkin_list(
            user=user, date_from=date_from, date_to=date_to
        ).values_list("recorded_at", "mood", "energy")
    ]
    report = time_report(user=user, date_from=date_from, date_to=date_to, now=now)
    labels = _hour_labels()
    by_hour = [
        {
            "bucket": key,
            "label": labels[key],
            "from_hour": first,
            "to_hour": last,
            **_mood_group([r for r in rows if first <= r[0].hour < last]),
        }
        for key, first, last in HOUR_BUCKETS
    ]
    by_weekday = [
        {
            "weekday": weekday + 1,  # ISO: 1 Monday ... 7 Sunday
            "label": str(WEEKDAYS[weekday]),
            **_mood_group([r for r in rows if r[0].weekday() == weekday]),
        }
        for weekday in range(7)
    ]
    return {
        "overall": _mood_group(rows, MIN_CHECKINS),
        "category_minutes": CATEGORY_MINUTES,
        "by_category": _by_category(rows, report),
        "by_hour": by_hour,
        "by_weekday": by_weekday,
    }
