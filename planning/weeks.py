"""Which week a person's review covers, and when it is due: pure date arithmetic over their
preference (`preferences.weekly_review`, planning/preferences.py) and timezone.

- **The moment** is the person's chosen local weekday and hour, as an instant of their wall
  clock (config/localtime.wall_clock_instant): 18:00 in Madrid is 17:00 UTC in winter and
  16:00 UTC in summer, and an hour the clocks skip strikes at the first minute after the gap.
- **The week reviewed** is the ISO week (Monday to Sunday) whose Sunday is nearest the
  moment's day: Thursday to Sunday review the week they are in (so far), Monday to Wednesday
  the week that just ended. **Decision**: a Sunday-evening review is of the week ending, a
  Monday-morning one of the week before, and no weekday is left without a reading.
- **Due** from the moment until the next one (a week later), while that week has no review:
  a scheduler down for hours catches up at its next sweep.
"""

from datetime import date, datetime, time, timedelta

from config.localtime import wall_clock_instant
from planning.preferences import review_moment

ONE_WEEK = timedelta(days=7)


def week_label(week_start: date) -> str:
    year, week, _ = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def reviewed_week(day: date) -> date:
    """The Monday of the week a review made on local day `day` covers."""
    monday = day - timedelta(days=day.weekday())
    return monday if day.isoweekday() >= 4 else monday - ONE_WEEK


def latest_moment(user, now: datetime) -> tuple[datetime, date]:
    """The latest instant at or before `now` at which the user's review moment struck, and its
    local day (within the last 7 days: there always is one)."""
    weekday, hour = review_moment(user)
    today = now.astimezone(user.tz).date()
    for back in range(8):
        day = today - timedelta(days=back)
        if day.isoweekday() != weekday:
            continue
        instant = wall_clock_instant(day, time(hour), user.tz)
        if instant <= now:
            return instant, day
    raise AssertionError("a weekday comes back within 8 days")
