"""Local days and periods: the one place that turns a person's calendar dates into instants.

Every app that speaks of "a day" means a local day in the user's timezone (`User.tz`). Days
around a daylight-saving change last 23 or 25 hours; a midnight that does not exist starts the
day at the first instant after the gap (fold=0 maps it there). Instants come back in UTC, so
subtracting two of them gives the real length of time between them.

Periods (of periodic goals) are whole local days: a daily period is one day, a weekly one runs
Monday to Sunday, a monthly one from the 1st to the month's last day; `end` is inclusive.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)


def local_today(tz: ZoneInfo, now: datetime | None = None) -> date:
    """The local date in `tz` at `now` (default: the current time)."""
    from django.utils import timezone

    return (now or timezone.now()).astimezone(tz).date()


def at_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The moment the wall clock in `tz` shows `at` on `day`, as a datetime in `tz` (it keeps
    the local wall time for display and keys)."""
    return datetime.combine(day, at, tzinfo=tz)


def wall_clock_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The first instant (in UTC) at which the wall clock in `tz` shows `at` on `day`, or, when
    `at` does not exist that day (clocks moved forward past it), the first instant after the
    gap: a 02:30 on the day Madrid jumps from 02:00 to 03:00 is 03:00 local. A time that happens
    twice (clocks moved back) is its first occurrence.

    Use it to compare a local time of day with an instant: comparing wall-clock datetimes of
    one zone (Python ignores the offset then) never matches a time in the gap and stretches or
    shrinks the periods around a change.
    """
    moment = datetime.combine(day, at, tzinfo=tz)  # fold=0: the first of a repeated time
    instant = moment.astimezone(UTC)
    wall = moment.replace(tzinfo=None)
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        return instant
    # In a gap, fold=0 reads `at` with the offset before the change (an instant after the gap)
    # and fold=1 with the offset after it (an instant before the gap): the change lies between.
    # Find it to the second: the first instant whose wall clock reads `at` or later.
    before, after = moment.replace(fold=1).astimezone(UTC), instant
    while after - before > _ONE_SECOND:
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            after = middle
        else:
            before = middle
    return after


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant local day `day` begins, in UTC."""
    return at_local(day, time.min, tz).astimezone(UTC)


def local_range(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) instants covering the local days `first`..`last` inclusive."""
    return local_midnight(first, tz), local_midnight(last + ONE_DAY, tz)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) instants of one local day."""
    return local_range(day, day, tz)


def days(first: date, last: date) -> Iterator[date]:
    """Every date from `first` to `last`, inclusive."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


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
        return start, next_month - ONE_DAY
    raise ValueError(f"{period!r} has no periods")


def previous_period_start(period: str, start: date) -> date:
    """The first day of the period right before the one starting on `start`."""
    return period_bounds(period, start - ONE_DAY)[0]


def latest_wall_clock_instant(at: time, tz: ZoneInfo, now: datetime) -> datetime:
    """The most recent instant, not after `now`, at which the wall clock in `tz` showed `at`:
    what a person means by "at 18:10" about something already past ("I stopped at 18:10"
    said at 02:00 is yesterday's). In UTC; a time in a gap is read as `wall_clock_instant`
    reads it."""
    today = now.astimezone(tz).date()
    for day in (today, today - ONE_DAY, today - 2 * ONE_DAY):
        instant = wall_clock_instant(day, at, tz)
        if instant <= now:
            return instant
    raise AssertionError("a wall-clock time recurs within two days")  # pragma: no cover
