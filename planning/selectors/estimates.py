"""The day plan's estimate factor: what a person's estimates are multiplied by.

The figure itself, tracked over estimated time summed over the tasks completed in a range that
had an estimate and tracked time, is the insights app's `estimate_accuracy` (one query, a ratio
of sums, docs/insights.md): solved once there, read here. What stays here is the plan's policy
on top of it: which days (the last ESTIMATE_WINDOW_DAYS local days including today, the same
window as GET /insights by default), how many tasks before it is believed (more than insights
asks for a figure, since this one changes every planned minute), and the bounds.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from insights.selectors import estimate_accuracy

ESTIMATE_WINDOW_DAYS = 28
# Below this many tasks the figure says more about chance than about the person: factor 1.
ESTIMATE_MIN_SAMPLE = 5
# A factor outside these is more likely a forgotten timer or a typo than a habit.
FACTOR_MIN, FACTOR_MAX = Decimal("0.50"), Decimal("3.00")
ONE = Decimal("1.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class EstimateAccuracy:
    factor: Decimal  # what estimates are multiplied by; 1.00 below the minimum sample
    sample: int  # completed tasks with an estimate and tracked time in the window
    # tracked / estimated, unbounded, 2 places; None while insights has too few tasks to
    # give it (its own minimum, below ours)
    ratio: Decimal | None


def estimate_accuracy_factor(*, user, now: datetime | None = None) -> EstimateAccuracy:
    """The factor as of `now`, over the user's local days today-27..today (one query)."""
    now = now or timezone.now()
    today = now.astimezone(user.tz).date()
    accuracy = estimate_accuracy(
        user=user, date_from=today - timedelta(days=ESTIMATE_WINDOW_DAYS - 1), date_to=today
    )
    sample = accuracy["n"]
    # Insights rounds to a 2-place float; through str() it becomes that same Decimal, so the
    # plan keeps storing and rendering "1.30", never a binary fraction.
    ratio = None if accuracy["ratio"] is None else Decimal(str(accuracy["ratio"])).quantize(CENT)
    if ratio is None or sample < ESTIMATE_MIN_SAMPLE:
        return EstimateAccuracy(factor=ONE, sample=sample, ratio=ratio)
    return EstimateAccuracy(
        factor=min(max(ratio, FACTOR_MIN), FACTOR_MAX), sample=sample, ratio=ratio
    )
