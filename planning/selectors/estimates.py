"""How a person's estimates compare with the time their tasks really take.

`estimate_accuracy_factor` is the day plan's correction: tracked over estimated time, summed
over the tasks the person completed in the last ESTIMATE_WINDOW_DAYS days that had both an
estimate and tracked time. A ratio of sums, not a mean of ratios, so a 5-minute task that took
15 does not outweigh a day's work that went to plan.

To be unified with the insights app's `estimate_accuracy(*, user, start, end)` (issue 24,
"Insights": per category, with its sample size) once both are merged: this is the same figure
over all categories, with the plan's minimum sample and bounds. Until then it lives here so
the plan needs nothing from that branch.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from tasks.models import Task

ESTIMATE_WINDOW_DAYS = 28
# Below this many tasks the figure says more about chance than about the person: factor 1.
ESTIMATE_MIN_SAMPLE = 5
# A factor outside these is more likely a forgotten timer or a typo than a habit.
FACTOR_MIN, FACTOR_MAX = Decimal("0.50"), Decimal("3.00")
ONE = Decimal("1.00")


@dataclass(frozen=True)
class EstimateAccuracy:
    factor: Decimal  # what estimates are multiplied by; 1.00 below the minimum sample
    sample: int  # completed tasks with an estimate and tracked time in the window
    ratio: Decimal | None  # tracked / estimated, unbounded; None without any sample


def estimate_accuracy_factor(*, user, now: datetime | None = None) -> EstimateAccuracy:
    """Tracked / estimated time over the user's tasks completed in the last 28 days (one
    query)."""
    now = now or timezone.now()
    row = Task.objects.filter(
        Q(user_id=user.pk, status=Task.Status.COMPLETED, estimated_minutes__isnull=False),
        completed_at__gt=now - timedelta(days=ESTIMATE_WINDOW_DAYS),
        completed_at__lte=now,
        tracked_seconds__gt=0,
    ).aggregate(
        sample=Count("pk"), tracked=Sum("tracked_seconds"), estimated=Sum("estimated_minutes")
    )
    sample = row["sample"]
    if not sample:
        return EstimateAccuracy(factor=ONE, sample=0, ratio=None)
    ratio = (Decimal(row["tracked"]) / (Decimal(row["estimated"]) * 60)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    if sample < ESTIMATE_MIN_SAMPLE:
        return EstimateAccuracy(factor=ONE, sample=sample, ratio=ratio)
    return EstimateAccuracy(
        factor=min(max(ratio, FACTOR_MIN), FACTOR_MAX), sample=sample, ratio=ratio
    )
