"""The per-user daily token budget of the assistant.

Counted from what is stored: the token usage the model reported on each turn's final assistant
message (`prompt_tokens + completion_tokens`, summed over the turn's rounds; the tool-round
messages repeat their own round's share and are not counted again). Failed and interrupted
turns count what they used. A server that reports no usage counts nothing.

**Decision:** "a day" is the user's local day, like every other day in this API: the budget
renews at midnight in the user's time zone (`resets_at`). It is checked before a turn starts
(REST, voice before paying for the transcription, websocket): a turn that starts under the
budget is finished even if it goes over it, and two turns started at once on two conversations
are both let through. `ASSISTANT_DAILY_TOKEN_BUDGET=0` turns the budget off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from chat.errors import AssistantBudgetExceeded
from chat.models import Message
from config.localtime import ONE_DAY, at_local, local_today


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


def local_day_bounds(*, user, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start of the user's local today and of their local tomorrow, as aware date-times."""
    tz = user.tz
    today = local_today(tz, now)
    return at_local(today, time.min, tz), at_local(today + ONE_DAY, time.min, tz)


def usage_today(*, user, now: datetime | None = None) -> DailyUsage:
    """One aggregate over the user's final answers of the day (index `messages_user_time`)."""
    start, end = local_day_bounds(user=user, now=now)
    totals = Message.objects.filter(
        user=user,
        role=Message.Role.ASSISTANT,
        tool_calls__isnull=True,
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens"))
    return DailyUsage(
        date=start.date().isoformat(),
        timezone=user.timezone,
        prompt_tokens=totals["prompt"] or 0,
        completion_tokens=totals["completion"] or 0,
        budget=daily_budget(),
        resets_at=end,
    )


def check_budget(*, user, now: datetime | None = None) -> None:
    """Raise `AssistantBudgetExceeded` (429) when today's budget is used up."""
    if daily_budget() is None:
        return
    now = now or timezone.now()
    usage = usage_today(user=user, now=now)
    if usage.exceeded:
        wait = (usage.resets_at - now).total_seconds()
        raise AssistantBudgetExceeded(resets_at=usage.resets_at, retry_after=int(wait) + 1)
