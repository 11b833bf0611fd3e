"""What every insight shares: the figure (a value with its sample size, or "not enough data")
and the minimums (docs/insights.md)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tasks.selectors import REPORT_MAX_DAYS

# The range is read through the time report, which covers at most this many days.
MAX_DAYS = REPORT_MAX_DAYS
DEFAULT_DAYS = 28
OK = "ok"
INSUFFICIENT = "insufficient_data"

# Mood and energy: no figure from fewer check-ins in the range than MIN_CHECKINS, and no group
# (a side of a comparison, an hour bucket, a weekday) from fewer than MIN_GROUP_CHECKINS.
MIN_CHECKINS = 7
MIN_GROUP_CHECKINS = 3
# Estimates: completed tasks with an estimate and tracked time, overall and per category.
MIN_COMPLETED_TASKS = 3
# A goal's pace: progress entries in its window (the current period, or its whole life).
MIN_GOAL_ENTRIES = 2


def uncategorized() -> str:
    return _("Uncategorized")


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def checkins_short(n: int, minimum: int) -> str:
    return ngettext(
        "Not enough data: %(n)d check-in, at least %(minimum)d are needed.",
        "Not enough data: %(n)d check-ins, at least %(minimum)d are needed.",
        n,
    ) % {"n": n, "minimum": minimum}


def tasks_short(n: int, minimum: int) -> str:
    return ngettext(
        "Not enough data: %(n)d completed task with an estimate and tracked time, at least "
        "%(minimum)d are needed.",
        "Not enough data: %(n)d completed tasks with an estimate and tracked time, at least "
        "%(minimum)d are needed.",
        n,
    ) % {"n": n, "minimum": minimum}


def entries_short(n: int, minimum: int) -> str:
    return ngettext(
        "Not enough data: %(n)d progress entry so far, at least %(minimum)d are needed.",
        "Not enough data: %(n)d progress entries so far, at least %(minimum)d are needed.",
        n,
    ) % {"n": n, "minimum": minimum}


def figure(n: int, minimum: int, explain, values: dict) -> dict:
    """A figure: its values when `n` reaches `minimum`, else the same keys null and
    `explain(n, minimum)` as its message."""
    if n < minimum:
        empty = dict.fromkeys(values)
        return {
            "n": n,
            "minimum": minimum,
            "status": INSUFFICIENT,
            **empty,
            "message": explain(n, minimum),
        }
    return {"n": n, "minimum": minimum, "status": OK, **values}
