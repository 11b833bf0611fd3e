"""Reads for check-ins. "A day" is a local day in the user's timezone."""

from datetime import date

from django.db.models import Avg, Count, QuerySet
from django.db.models.functions import TruncDate

from accounts.models import User
from checkins.errors import CheckInNotFound
from checkins.models import CheckIn
from config.ids import get_by_id
from config.localtime import ONE_DAY, days, local_midnight, local_range

MAX_STATS_DAYS = 366


def checkin_list(
    *,
    user: User,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str | None = None,
) -> QuerySet:
    """The user's check-ins, newest first; `date_from`/`date_to` are inclusive local dates."""
    queryset = CheckIn.objects.filter(user=user)
    tz = user.tz
    if date_from is not None:
        queryset = queryset.filter(recorded_at__gte=local_midnight(date_from, tz))
    if date_to is not None:
        queryset = queryset.filter(recorded_at__lt=local_midnight(date_to + ONE_DAY, tz))
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-recorded_at", "-created_at", "-id")


def checkin_get(*, user: User, checkin_id) -> CheckIn:
    """One of the user's check-ins; a missing, malformed or someone else's id is the same 404."""
    return get_by_id(CheckIn.objects.filter(user=user), checkin_id, CheckInNotFound)


def checkins_on_day(*, user: User, day: date) -> QuerySet:
    """Check-ins recorded on local day `day`, oldest first."""
    start, end = local_range(day, day, user.tz)
    return CheckIn.objects.filter(user=user, recorded_at__gte=start, recorded_at__lt=end).order_by(
        "recorded_at", "created_at", "id"
    )


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def checkin_stats(*, user: User, date_from: date, date_to: date, kind: str | None = None) -> dict:
    """Per-day averages of mood and energy over local days `date_from`..`date_to` (inclusive).

    Every day of the range is listed, days without check-ins with count 0 and null averages,
    so a client can chart it as is. `overall` averages the check-ins themselves (not the days).
    Averages are rounded to 2 decimals.
    """
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    tz = user.tz
    start, end = local_range(date_from, date_to, tz)
    queryset = CheckIn.objects.filter(user=user, recorded_at__gte=start, recorded_at__lt=end)
    if kind:
        queryset = queryset.filter(kind=kind)
    rows = (
        queryset.annotate(day=TruncDate("recorded_at", tzinfo=tz))
        .values("day")
        .annotate(count=Count("id"), mood_avg=Avg("mood"), energy_avg=Avg("energy"))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    listed = []
    total = mood_sum = energy_sum = 0.0
    for day in days(date_from, date_to):
        row = by_day.get(day)
        count = row["count"] if row else 0
        listed.append(
            {
                "date": day,
                "count": count,
                "mood_avg": _round(row["mood_avg"]) if row else None,
                "energy_avg": _round(row["energy_avg"]) if row else None,
            }
        )
        if row:
            total += count
            mood_sum += float(row["mood_avg"]) * count
            energy_sum += float(row["energy_avg"]) * count
    return {
        "from": date_from,
        "to": date_to,
        "timezone": user.timezone,
        "kind": kind,
        "days": listed,
        "overall": {
            "count": int(total),
            "mood_avg": _round(mood_sum / total) if total else None,
            "energy_avg": _round(energy_sum / total) if total else None,
        },
    }
