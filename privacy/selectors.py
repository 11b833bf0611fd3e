"""What a person's export holds: one query per kind, every one scoped by the user.

Each kind is a queryset of plain values (`.values()`), read by the export with
`.iterator()`, so no model instances and no whole table are held at once. Fields that are
not the person's own are left out: `actor_id` (the staff member behind an admin change) and
the chat's turn bookkeeping.
"""

from dataclasses import dataclass

from django.db.models import F, QuerySet

from accounts.models import Device, Notification, User
from chat.models import Conversation, Message, Nudge
from checkins.models import CheckIn
from goals.models import Goal, GoalPause, GoalProgress
from memories.models import Memory
from planning.models import DayPlan, DayPlanItem, WeeklyReview
from summaries.models import DailySummary
from tasks.models import Category, Task, TaskEvent

_NOT_THEIRS = frozenset({"user_id", "actor_id", "turn_token", "turn_lease_until"})
PROFILE_FIELDS = (
    "id",
    "email",
    "name",
    "timezone",
    "language",
    "preferences",
    "is_active",
    "created_at",
    "updated_at",
    "last_login",
)


@dataclass(frozen=True)
class Kind:
    file: str  # the file's name in the zip, without ".json"
    queryset: QuerySet


def _values(model, **filters) -> QuerySet:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in _NOT_THEIRS]
    return model.objects.filter(**filters).order_by("pk").values(*fields)


def profile(*, user: User) -> dict:
    return User.objects.filter(pk=user.pk).values(*PROFILE_FIELDS).get()


def export_kinds(*, user: User) -> list[Kind]:
    """Every kind but the profile and the conversations (with their messages), in the
    order of the zip."""
    return [
        Kind("categories", _values(Category, user=user)),
        Kind("tasks", _values(Task, user=user)),
        Kind("task_events", _values(TaskEvent, user=user)),
        Kind("goals", _values(Goal, user=user)),
        Kind("goal_progress", _values(GoalProgress, user=user)),
        Kind("goal_pauses", _values(GoalPause, user=user)),
        Kind("check_ins", _values(CheckIn, user=user)),
        Kind("memories", _values(Memory, user=user)),
        Kind("daily_summaries", _values(DailySummary, user=user)),
        Kind("day_plans", _values(DayPlan, user=user)),
        Kind("day_plan_items", _values(DayPlanItem, user=user)),
        Kind("weekly_reviews", _values(WeeklyReview, user=user)),
        Kind("devices", _values(Device, user=user)),
        Kind("notifications", _values(Notification, user=user)),
        Kind("nudges", _values(Nudge, user=user)),
    ]


def conversations(*, user: User) -> QuerySet:
    return _values(Conversation, user=user)


def messages_by_conversation(*, user: User) -> QuerySet:
    """Every message of the user, grouped by conversation in the order of `conversations`,
    oldest first within one."""
    fields = [f.attname for f in Message._meta.concrete_fields if f.attname not in _NOT_THEIRS]
    return (
        Message.objects.filter(user=user)
        .order_by("conversation_id", "created_at", "pk")
        .values(*fields)
    )


def time_entries(*, user: User) -> QuerySet:
    """Every closed stretch of work (the task events that carry a segment), oldest first,
    with its task's title and category's name. The stretch running now is not closed: it
    shows in tasks.json as `running_since`."""
    return (
        TaskEvent.objects.filter(user=user, segment_start__isnull=False)
        .order_by("segment_start", "pk")
        .values(
            "segment_start",
            "segment_end",
            "duration_seconds",
            "task_id",
            task_title=F("task__title"),
            category_name=F("task__category__name"),
        )
    )
