"""What a pause changes about a periodic goal's periods (docs/goals.md, "Pausing a goal").

Pure arithmetic over a goal's pauses as (first day, last day) pairs of local dates, both
inclusive, so the streak (goals/selectors.py) and the tests read the same rules:

- a period without a paused day asks the goal's whole target;
- a period paused entirely asks nothing: unmet, it is skipped (it neither breaks nor adds to
  the streak); met anyway, it counts like any met period;
- a period paused in part asks the target in proportion to its unpaused days, rounded up to the
  cent: a weekly 20 km goal with 3 paused days asks 11.43 km of that week. **Decision**: the
  proportion is the only reading under which "paused days do not count against the period"
  holds for every mix of paused and worked days (exempting a whole week for one paused day
  would make a pause a way round the habit; ignoring a partial pause would make it useless).

The input rules of a pause are here too, so the serializer and the service check the same.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils.translation import gettext_lazy as _

from config.localtime import period_bounds

CENT = Decimal("0.01")
# A pause is for an illness, a trip or a rest, not a way to switch a habit off for good.
MAX_PAUSE_DAYS = 90
# How far back a pause may begin: time off is often only told once it is over.
MAX_PAUSE_DAYS_BACK = 30
# How far ahead a pause may begin (a trip booked for next year).
MAX_PAUSE_DAYS_AHEAD = 365

Span = tuple[date, date]


def pause_date_errors(date_from: date, date_to: date, *, today: date) -> dict:
    """Field errors of a pause from `date_from` to `date_to` asked for on local day `today`
    ({} when it is fine)."""
    if date_to < date_from:
        return {"to": [_("“to” cannot be before “from”.")]}
    if (date_to - date_from).days + 1 > MAX_PAUSE_DAYS:
        return {"to": [_("A pause lasts at most %(days)d days.") % {"days": MAX_PAUSE_DAYS}]}
    if date_from < today - timedelta(days=MAX_PAUSE_DAYS_BACK):
        return {
            "from": [
                _("A pause can begin at most %(days)d days ago.") % {"days": MAX_PAUSE_DAYS_BACK}
            ]
        }
    if date_from > today + timedelta(days=MAX_PAUSE_DAYS_AHEAD):
        return {
            "from": [
                _("A pause can begin at most %(days)d days ahead.") % {"days": MAX_PAUSE_DAYS_AHEAD}
            ]
        }
    return {}


def paused_days(pauses: Iterable[Span], first: date, last: date) -> int:
    """How many of the days `first`..`last` fall in a pause."""
    days: set[date] = set()
    for start, end in pauses:
        low, high = max(start, first), min(end, last)
        days.update(low + timedelta(days=n) for n in range((high - low).days + 1))
    return len(days)


def paused_until(pauses: Iterable[Span], day: date) -> date | None:
    """The last day of the pause `day` falls in (following pauses that continue it), or None."""
    ends = {start: end for start, end in pauses}
    current = next((end for start, end in ends.items() if start <= day <= end), None)
    while current is not None and current + timedelta(days=1) in ends:
        current = ends[current + timedelta(days=1)]
    return current


def period_met(
    period: str, start: date, total: Decimal, target: Decimal, pauses: list[Span]
) -> bool | None:
    """Whether the period of kind `period` starting on `start`, with `total` logged in it, met
    what it asks: True, False, or None when it is paused entirely and unmet (skipped)."""
    if total >= target:
        return True
    if not pauses:
        return False
    first, last = period_bounds(period, start)
    length = (last - first).days + 1
    paused = paused_days(pauses, first, last)
    if paused == 0:
        return False
    if paused >= length:
        return None
    asked = (target * (length - paused) / length).quantize(CENT, rounding=ROUND_CEILING)
    return total >= asked
