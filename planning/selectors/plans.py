"""Reads for day plans: the stored plans, and what a new plan is built from (the open tasks
in order, what was left of the last plan, this morning's energy)."""

from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet

from checkins.models import CheckIn
from checkins.selectors import checkins_on_day
from planning.errors import PlanNotFound
from planning.models import DayPlan, DayPlanItem
from tasks.models import Task
from tasks.selectors import task_list

OPEN = (Task.Status.PENDING, Task.Status.IN_PROGRESS, Task.Status.PAUSED)
# A plan reads at most this many open tasks: more than a day holds many times over.
CANDIDATE_LIMIT = 200
# Leftovers come from the last plan of the past week; older ones are history, not a backlog.
LEFTOVER_DAYS = 7


def plan_list(*, user) -> QuerySet[DayPlan]:
    """The user's plans, newest day first, with their items and tasks."""
    return (
        DayPlan.objects.filter(user_id=user.pk).prefetch_related(_items()).order_by("-date", "-id")
    )


def _items() -> Prefetch:
    return Prefetch(
        "items",
        queryset=DayPlanItem.objects.select_related("task", "task__category").order_by("position"),
    )


def plan_find(*, user, day: date) -> DayPlan | None:
    return plan_list(user=user).filter(date=day).first()


def plan_get(*, user, day: date) -> DayPlan:
    """The user's plan of local day `day`; none (or someone else's) is a 404."""
    plan = plan_find(user=user, day=day)
    if plan is None:
        raise PlanNotFound()
    return plan


def open_tasks(*, user) -> list[Task]:
    """The user's open tasks in the plan's order: due date first (none last), then priority
    (high first), then the oldest."""
    ordering = ["due_at", "-priority", "created_at"]
    return list(task_list(user=user, status=OPEN, ordering=ordering)[:CANDIDATE_LIMIT])


def open_tasks_by_id(*, user, task_ids) -> dict:
    """{id: task} of those of `task_ids` that are the user's open tasks."""
    tasks = Task.objects.filter(user_id=user.pk, pk__in=list(task_ids), status__in=OPEN)
    return {task.pk: task for task in tasks.select_related("category")}


def leftover_task_ids(*, user, day: date) -> list:
    """The tasks of the user's latest plan before `day` (within LEFTOVER_DAYS) that are still
    open, in that plan's order: where the plan of `day` starts."""
    previous = (
        DayPlan.objects.filter(
            user_id=user.pk, date__lt=day, date__gte=day - timedelta(days=LEFTOVER_DAYS)
        )
        .order_by("-date")
        .first()
    )
    if previous is None:
        return []
    return list(
        DayPlanItem.objects.filter(plan=previous, task__status__in=OPEN)
        .order_by("position")
        .values_list("task_id", flat=True)
    )


def morning_energy(*, user, day: date) -> int | None:
    """The energy of the user's latest morning check-in on local day `day`, if any."""
    return (
        checkins_on_day(user=user, day=day)
        .filter(kind=CheckIn.Kind.MORNING)
        .order_by("-recorded_at", "-created_at")
        .values_list("energy", flat=True)
        .first()
    )
