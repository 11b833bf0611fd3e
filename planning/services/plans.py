"""Writes for day plans: build today's plan, and change it (order, drop, add).

How a plan is built (docs/planning.md, where each number is a decision):

1. **Minutes**: what is left of today's working hours (`preferences.working_hours`,
   09:00-17:00 by default) from now; none after the end. Lightened to 70% of that when this
   morning's check-in (kind `morning`) has energy 2 or less (planning/sizing.py).
2. **Order**: open tasks due by the end of today (overdue first) come first; then what was
   left of the latest plan of the past week, in its order; then every other open task by due
   date (none last), priority (high first) and age.
3. **Minutes per task** (planning/sizing.py): the task's estimate times the person's
   estimate factor (planning/selectors/estimates.py), less the time already tracked on it, at
   least 10; 30 for a task without an estimate.
4. **Fitting**: in that order, each task that still fits the minutes left goes in (a long one
   that does not fit is passed over for shorter ones behind it), up to 20. Tasks due
   today or carried over that did not fit are listed in `left_out`.

Each write holds the user's lock (accounts/locks.py): two builds of one day at once run one
after the other, and the (user, date) unique constraint backs it.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.locks import lock_user
from accounts.models import User
from config.localtime import local_day_bounds
from config.sources import check_source
from planning.errors import PlanClosed, PlanInvalid, PlanNotFound
from planning.models import DayPlan, DayPlanItem
from planning.preferences import working_hours
from planning.realtime import publish_plan
from planning.selectors import (
    estimate_accuracy_factor,
    leftover_task_ids,
    morning_energy,
    open_tasks,
    open_tasks_by_id,
    plan_get,
)
from planning.sizing import (
    LEFT_OUT_LIMIT,
    MAX_ITEMS,
    capacity,
    minutes_available,
    planned_minutes,
)
from tasks.models import Task


def _in_order(*, user: User, now: datetime) -> tuple[list[Task], set, set]:
    """(tasks in the plan's order, ids carried over, ids due by the end of today)."""
    today = now.astimezone(user.tz).date()
    tasks = open_tasks(user=user)
    leftovers = leftover_task_ids(user=user, day=today)
    known = {task.pk for task in tasks}
    missing = [pk for pk in leftovers if pk not in known]
    if missing:  # carried over, but past the candidates' limit: read them too
        tasks += list(open_tasks_by_id(user=user, task_ids=missing).values())
    by_id = {task.pk: task for task in tasks}
    end_of_today = local_day_bounds(today, user.tz)[1]
    due = [t for t in tasks if t.due_at is not None and t.due_at < end_of_today]
    due_ids = {task.pk for task in due}
    carried = [by_id[pk] for pk in leftovers if pk in by_id and pk not in due_ids]
    first = due_ids | set(leftovers)
    rest = [task for task in tasks if task.pk not in first]
    return due + carried + rest, set(leftovers), due_ids


def plan_build(*, user: User, source: str, now: datetime | None = None) -> tuple[DayPlan, bool]:
    """Build (or build again) the user's plan of their local today; answers (plan, created).
    Building again replaces the items: changes made with `plan_update` are not kept."""
    check_source(source)
    now = now or timezone.now()
    today = now.astimezone(user.tz).date()
    start, end = working_hours(user)
    available = minutes_available(user=user, now=now)
    energy = morning_energy(user=user, day=today)
    sized_to = capacity(available, energy)
    accuracy = estimate_accuracy_factor(user=user, now=now)
    ordered, carried, due = _in_order(user=user, now=now)

    chosen, left_out, room = [], [], sized_to
    for task in ordered:
        minutes = planned_minutes(task, factor=accuracy.factor, now=now)
        if len(chosen) < MAX_ITEMS and minutes <= room:
            chosen.append((task, minutes))
            room -= minutes
        elif (task.pk in carried or task.pk in due) and len(left_out) < LEFT_OUT_LIMIT:
            left_out.append({"task_id": str(task.pk), "title": task.title, "minutes": minutes})

    with transaction.atomic():
        lock_user(user.pk)
        plan = DayPlan.objects.filter(user_id=user.pk, date=today).first()
        created = plan is None
        if created:
            plan = DayPlan(user=user, date=today, created_at=now)
        plan.working_start, plan.working_end = start, end
        plan.available_minutes, plan.capacity_minutes, plan.energy = available, sized_to, energy
        plan.estimate_factor, plan.estimate_sample = accuracy.factor, accuracy.sample
        plan.left_out, plan.source = left_out, source
        plan.save()
        plan.items.all().delete()
        DayPlanItem.objects.bulk_create(
            DayPlanItem(
                plan=plan,
                user=user,
                task=task,
                position=position,
                planned_minutes=minutes,
                estimated_minutes=task.estimated_minutes,
                carried_over=task.pk in carried,
            )
            for position, (task, minutes) in enumerate(chosen, start=1)
        )
        plan = plan_get(user=user, day=today)
        publish_plan(plan, source=source)
    return plan, created


def plan_update(
    *, user: User, plan: DayPlan, task_ids: list, source: str, now: datetime | None = None
) -> DayPlan:
    """Set the plan's tasks to `task_ids`, in that order: a task of the plan not listed is
    dropped, a listed open task not in it is added (its minutes as `plan_build` counts them).
    Only today's plan changes (409 plan_closed); an id that is not one of the user's open
    tasks nor already in the plan is a 400 on `task_ids`."""
    check_source(source)
    now = now or timezone.now()
    if plan.user_id != user.pk:
        raise PlanNotFound()
    if plan.date != now.astimezone(user.tz).date():
        raise PlanClosed()
    if len(task_ids) != len(set(task_ids)):
        raise PlanInvalid(fields={"task_ids": [_("A task can be in the plan only once.")]})
    if len(task_ids) > MAX_ITEMS:
        raise PlanInvalid(fields={"task_ids": [_("At most %(n)d tasks.") % {"n": MAX_ITEMS}]})
    with transaction.atomic():
        lock_user(user.pk)
        items = {item.task_id: item for item in DayPlanItem.objects.filter(plan=plan)}
        new = [pk for pk in task_ids if pk not in items]
        addable = open_tasks_by_id(user=user, task_ids=new)
        unknown = [str(pk) for pk in new if pk not in addable]
        if unknown:
            raise PlanInvalid(
                fields={
                    "task_ids": [
                        _("Not one of your open tasks: %(ids)s.") % {"ids": ", ".join(unknown)}
                    ]
                }
            )
        DayPlanItem.objects.filter(plan=plan).exclude(task_id__in=task_ids).delete()
        kept, added = [], []
        for position, pk in enumerate(task_ids, start=1):
            if pk in items:
                items[pk].position = position
                kept.append(items[pk])
            else:
                task = addable[pk]
                minutes = planned_minutes(task, factor=plan.estimate_factor, now=now)
                added.append(
                    DayPlanItem(
                        plan=plan,
                        user=user,
                        task=task,
                        position=position,
                        planned_minutes=minutes,
                        estimated_minutes=task.estimated_minutes,
                    )
                )
        DayPlanItem.objects.bulk_update(kept, ["position"])
        DayPlanItem.objects.bulk_create(added)
        DayPlan.objects.filter(pk=plan.pk).update(source=source, updated_at=now)
        plan = plan_get(user=user, day=plan.date)
        publish_plan(plan, source=source)
    return plan
