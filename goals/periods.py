"""Calendar arithmetic for periodic goals, on local dates (the user's timezone).

Periods are whole local days: a daily period is one day, a weekly one runs Monday to Sunday,
a monthly one from the 1st to the month's last day. `end` is inclusive.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The first and last local day of the period of kind `period` that contains `day`."""
    if period == "daily":
        return day, day
    if period == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == "monthly":
        start = day.replace(day=1)
        next_month = (start + timedelta(days=32)).replace(day=1)
        return start, next_month - timedelta(days=1)
    raise ValueError(f"{period!r} has no periods")


def previous_period_start(period: str, start: date) -> date:
    """The first day of the period right before the one starting on `start`."""
    return period_bounds(period, start - timedelta(days=1))[0]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local day begins, as an aware datetime.

    Where a DST change skips midnight (fold=0 takes the offset before the gap), this is the
    first instant that exists on that day.
    """
    return datetime.combine(day, time.min, tzinfo=tz)


def local_range(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) instants covering the local days `first`..`last` inclusive."""
    return local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz)
