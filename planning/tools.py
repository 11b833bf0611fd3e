"""The assistant's plan tools (how tools are written and run: `config/assistant_tools.py`)."""

from __future__ import annotations

from config.assistant_tools import SOURCE, Tool, plain, validated
from planning import selectors, services
from planning.serializers import DayPlanSerializer, PlanDayQuerySerializer, PlanUpdateSerializer


def _plan(plan) -> dict:
    return plain(DayPlanSerializer(plan).data)


def plan_today(*, user) -> dict:
    plan, created = services.plan_build(user=user, source=SOURCE)
    return {"plan": _plan(plan), "created": created}


def get_plan(*, user, date=None) -> dict:
    query = validated(PlanDayQuerySerializer, {} if date is None else {"date": date}, user=user)
    day = query.get("date") or user.local_now().date()
    plan = selectors.plan_find(user=user, day=day)
    return {"date": day.isoformat(), "plan": None if plan is None else _plan(plan)}


def update_plan(*, user, task_ids) -> dict:
    data = validated(PlanUpdateSerializer, {"task_ids": task_ids}, user=user)
    plan = selectors.plan_get(user=user, day=user.local_now().date())
    plan = services.plan_update(user=user, plan=plan, source=SOURCE, **data)
    return {"plan": _plan(plan)}


TOOLS = [
    Tool(
        "plan_today",
        "Build (or build again) the user's plan for today: their open tasks, due ones and "
        "yesterday's leftovers first, estimates corrected by how long their tasks really "
        "take, fitted into the minutes left of their working hours (lighter after a "
        "low-energy morning). Building again replaces changes made to today's plan.",
        {},
        (),
        plan_today,
    ),
    Tool(
        "get_plan",
        "Read the user's stored plan of a day (default today); plan is null when none.",
        {"date": {"type": "string", "description": "YYYY-MM-DD, local."}},
        (),
        get_plan,
    ),
    Tool(
        "update_plan",
        "Set today's plan to these tasks in this order: planned tasks left out are dropped, "
        "open tasks not yet planned are added.",
        {
            "task_ids": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": 20,
                "description": "Task ids from get_plan or list_tasks, in the new order.",
            }
        },
        ("task_ids",),
        update_plan,
    ),
]
