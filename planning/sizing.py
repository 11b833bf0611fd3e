"""How much a day plan holds: the minutes of the day, and the minutes of each task.

Pure arithmetic (no query), shared by the plan's service, its serializers and the tests; the
order and the fitting are planning/services/plans.py. Each number is a decision documented in
docs/planning.md.
"""

import math
from datetime import datetime
from decimal import Decimal

from config.localtime import wall_clock_instant
from planning.preferences import working_hours

# A task without an estimate gets this many minutes (not corrected: it is not the person's
# estimate, so their factor says nothing about it).
DEFAULT_TASK_MINUTES = 30
# No slot shorter than this: a task left open still needs a sitting, however short.
MIN_SLOT_MINUTES = 10
# A morning check-in with energy at or below this lightens the day to LOW_ENERGY_SHARE.
LOW_ENERGY_MAX = 2
LOW_ENERGY_SHARE = Decimal("0.70")
MAX_ITEMS = 20
LEFT_OUT_LIMIT = 10


def minutes_available(*, user, now: datetime) -> int:
    """Whole minutes from `now` to the end of today's working hours (0 once they are over);
    the hours' ends are instants of the local wall clock, so a DST day is counted as lived."""
    start, end = working_hours(user)
    today = now.astimezone(user.tz).date()
    start_at = wall_clock_instant(today, start, user.tz)
    end_at = wall_clock_instant(today, end, user.tz)
    return max(0, int((end_at - max(now, start_at)).total_seconds() // 60))


def capacity(available: int, energy: int | None) -> int:
    """The minutes a plan is sized to: all that is available, or LOW_ENERGY_SHARE of it after
    a low-energy morning."""
    if energy is not None and energy <= LOW_ENERGY_MAX:
        return int(available * LOW_ENERGY_SHARE)
    return available


def planned_minutes(task, *, factor: Decimal, now: datetime) -> int:
    """The minutes set aside for `task`: its estimate times the person's factor, less what is
    already tracked on it, at least MIN_SLOT_MINUTES; DEFAULT_TASK_MINUTES without one."""
    if task.estimated_minutes is None:
        return DEFAULT_TASK_MINUTES
    corrected = math.ceil(task.estimated_minutes * factor)
    return max(corrected - task.tracked_seconds_at(now) // 60, MIN_SLOT_MINUTES)
