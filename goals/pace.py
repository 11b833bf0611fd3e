"""Where a periodic goal would be now at an even pace through its current period: what the
goal-behind-pace nudge compares the period's progress with (docs/push.md, docs/goals.md).

Arithmetic over local days, as the rest of a goal's periods (goals/pauses.py):

- the window is the current period's days, from the goal's start date when it started within
  the period;
- paused days are neither days to work nor days passed, and the period asks the share of its
  target that `goals.pauses.period_met` asks (in proportion to its unpaused days);
- the share of the window passed counts the unpaused days before today, plus the part of today
  gone by (local midnights, so a day of 23 or 25 hours is still one day);
- what an even pace would have gained by now is that share of what the period asks.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from config.localtime import ONE_DAY, days, local_midnight
from goals.models import Goal
from goals.pauses import CENT, paused_days, paused_until


@dataclass(frozen=True)
class EvenPace:
    asked: Decimal  # what the period asks (the target, less its paused share)
    expected: Decimal  # what an even pace would have gained by now
    elapsed: float  # the share of the window's unpaused days passed, 0 to 1


def even_pace(goal: Goal, stats, *, tz: ZoneInfo, now: datetime) -> EvenPace | None:
    """`stats`: the goal's GoalStats (goals.selectors) as of `now`. None for a goal without a
    period, not started, past its due date, paused today, or whose window is all paused."""
    today = now.astimezone(tz).date()
    if not goal.is_periodic or stats.period_start is None or goal.start_date > today:
        return None
    if goal.due_date is not None and goal.due_date < today:
        return None
    pauses = list(stats.pauses)
    if paused_until(pauses, today) is not None:
        return None
    window = [
        day
        for day in days(max(stats.period_start, goal.start_date), stats.period_end)
        if not paused_days(pauses, day, day)
    ]
    if not window:
        return None
    midnight, next_midnight = local_midnight(today, tz), local_midnight(today + ONE_DAY, tz)
    passed = sum(1.0 for day in window if day < today)
    if today in window:
        passed += min(max((now - midnight) / (next_midnight - midnight), 0.0), 1.0)
    elapsed = passed / len(window)
    length = (stats.period_end - stats.period_start).days + 1
    paused = paused_days(pauses, stats.period_start, stats.period_end)
    asked = goal.target_value
    if paused:
        asked = (asked * (length - paused) / length).quantize(CENT, rounding=ROUND_CEILING)
    expected = (asked * Decimal(str(elapsed))).quantize(CENT)
    return EvenPace(asked=asked, expected=expected, elapsed=elapsed)
