"""The per-user daily token budget of the assistant.

Counted from what is stored: the token usage the model reported on each turn's final assistant
message (`prompt_tokens + completion_tokens`, summed over the turn's rounds; the tool-round
messages repeat their own round's share and are not counted again). Failed and interrupted
turns count what they used. A server that reports no usage counts nothing.

**Decision:** the budget's day is the UTC day, the same for everyone: it renews at 00:00 UTC
(`resets_at`, shown with the user's UTC offset so a client can print it as a local time). Not
the user's local day, unlike every other day in this API: the user chooses their time zone
(`PATCH /auth/me`), so a budget counted over their local day could be renewed at will by moving
to a zone whose midnight had just passed (issue 22: 210,000 tokens used became 0). A rolling
24-hour window cannot be gamed either, but it has no single reset moment to tell the user and
needs the rows, not one aggregate, to say when a refused user may go on. A fixed UTC day
allows a burst across midnight (a full budget just before 00:00 UTC, another just after): no
worse than any daily budget, and not the user's to move.

It is checked before a turn starts (REST, voice before paying for the transcription,
websocket): a turn that starts under the budget is finished even if it goes over it, and two
turns started at once on two conversations are both let through.
`ASSISTANT_DAILY_TOKEN_BUDGET=0` turns the budget off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from chat.errors import AssistantBudgetExceeded
from chat.models import Message
from config.localtime import ONE_DAY


@dataclass(frozen=True)
class DailyUsage:
    date: str
    timezone: str
    prompt_tokens: int
    completion_tokens: int
    budget: int | None
    resets_at: datetime

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def remaining(self) -> int | None:
        return None if self.budget is None else max(0, self.budget - self.tokens)

    @property
    def exceeded(self) -> bool:
        return self.budget is not None and self.tokens >= self.budget

    def as_dict(self) -> dict:
        return {
            "date": self.date,
            "timezone": self.timezone,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens": self.tokens,
            "budget": self.budget,
            "remaining": self.remaining,
            "resets_at": self.resets_at.isoformat(),
        }


def daily_budget() -> int | None:
    budget = int(settings.ASSISTANT_DAILY_TOKEN_BUDGET)
    return budget if budget > 0 else None


BUDGET_TIMEZONE = "UTC"


def budget_day_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start of the budget's day (the UTC day holding `now`) and of the next one, in UTC. No
    setting of the user moves them."""
    today = (now or timezone.now()).astimezone(UTC).date()
    start = datetime.combine(today, time.min, tzinfo=UTC)
    return start, start + ONE_DAY


def usage_today(*, user, now: datetime | None = None) -> DailyUsage:
    """One aggregate over the user's final answers of the budget's day (index
    `messages_user_time`). `resets_at` is the next 00:00 UTC, written with the user's offset."""
    start, end = budget_day_bounds(now)
    totals = Message.objects.filter(
        user=user,
        role=Message.Role.ASSISTANT,
        tool_calls__isnull=True,
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens"))
    return DailyUsage(
        date=start.date().isoformat(),
        timezone=BUDGET_TIMEZONE,
        prompt_tokens=totals["prompt"] or 0,
        completion_tokens=totals["completion"] or 0,
        budget=daily_budget(),
        resets_at=end.astimezone(user.tz),
    )


def check_budget(*, user, now: datetime | None = None) -> None:
    """Raise `AssistantBudgetExceeded` (429) when the budget of the UTC day is used up."""
    if daily_budget() is None:
        return
    now = now or timezone.now()
    usage = usage_today(user=user, now=now)
    if usage.exceeded:
        wait = (usage.resets_at - now).total_seconds()
        raise AssistantBudgetExceeded(resets_at=usage.resets_at, retry_after=int(wait) + 1)
