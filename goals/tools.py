"""The assistant's goal tools (how tools are written and run: `config/assistant_tools.py`)."""

from __future__ import annotations

from config.assistant_tools import LIST_LIMIT, SOURCE, Tool, plain, validated
from goals import selectors as goal_selectors
from goals import services as goal_services
from goals.serializers import (
    GoalCreateSerializer,
    GoalListQuerySerializer,
    GoalPauseCreateSerializer,
    GoalPauseSerializer,
    GoalProgressCreateSerializer,
    GoalProgressSerializer,
    GoalSerializer,
)


def _goal_data(goal, *, user) -> dict:
    return plain(GoalSerializer(goal, context={"user": user}).data)


def list_goals(*, user, status=None) -> dict:
    query = validated(
        GoalListQuerySerializer, {} if status is None else {"status": status}, user=user
    )
    goals = list(goal_selectors.goal_list(user=user, **query)[: LIST_LIMIT + 1])
    data = GoalSerializer(goals[:LIST_LIMIT], many=True, context={"user": user}).data
    result = {"goals": plain(data)}
    if len(goals) > LIST_LIMIT:
        result["truncated"] = True
    return result


def create_goal(*, user, **arguments) -> dict:
    data = validated(GoalCreateSerializer, arguments, user=user)
    goal = goal_services.goal_create(user=user, source=SOURCE, **data)
    return {"goal": _goal_data(goal_selectors.goal_get(user=user, goal_id=goal.pk), user=user)}


def log_goal_progress(*, user, goal_id, value, note=None) -> dict:
    goal = goal_selectors.goal_get(user=user, goal_id=goal_id)
    payload = {"value": value} if note is None else {"value": value, "note": note}
    data = validated(GoalProgressCreateSerializer, payload, user=user)
    progress = goal_services.goal_log_progress(user=user, goal=goal, source=SOURCE, **data)
    return {
        "progress": plain(GoalProgressSerializer(progress).data),
        "goal": _goal_data(goal_selectors.goal_get(user=user, goal_id=goal.pk), user=user),
    }


def pause_goal(*, user, goal_id, **arguments) -> dict:
    """Applied only on the user's yes: the description tells the model so, and the system
    prompt tells it to offer a pause rather than take one (chat/prompt.py)."""
    goal = goal_selectors.goal_get(user=user, goal_id=goal_id)
    data = validated(GoalPauseCreateSerializer, arguments, user=user)
    pause = goal_services.goal_pause(user=user, goal=goal, source=SOURCE, **data)
    return {
        "pause": plain(GoalPauseSerializer(pause).data),
        "goal": _goal_data(goal_selectors.goal_get(user=user, goal_id=goal.pk), user=user),
    }


TOOLS = [
    Tool(
        "list_goals",
        "List the user's goals with their progress.",
        {"status": {"type": "string", "enum": ["active", "achieved", "archived"]}},
        (),
        list_goals,
    ),
    Tool(
        "create_goal",
        "Create a goal: reach target_value of unit (e.g. 10 km), optionally per period.",
        {
            "title": {"type": "string", "maxLength": 200},
            "target_value": {"type": "number", "exclusiveMinimum": 0},
            "unit": {"type": "string", "maxLength": 30},
            "period": {"type": "string", "enum": ["none", "daily", "weekly", "monthly"]},
            "due_date": {"type": "string", "description": "YYYY-MM-DD"},
        },
        ("title", "target_value", "unit"),
        create_goal,
    ),
    Tool(
        "log_goal_progress",
        "Add progress to a goal (a negative value corrects an earlier entry).",
        {
            "goal_id": {"type": "string", "description": "From list_goals."},
            "value": {"type": "number"},
            "note": {"type": "string", "maxLength": 2000},
        },
        ("goal_id", "value"),
        log_goal_progress,
    ),
    Tool(
        "pause_goal",
        "Pause a periodic goal from one local day to another (illness, travel, rest): the "
        "paused days do not break its streak. ONLY call this after the user has explicitly "
        "said yes to this pause in this conversation; if they have not, offer it and wait.",
        {
            "goal_id": {"type": "string", "description": "From list_goals."},
            "from": {"type": "string", "description": "First paused day, YYYY-MM-DD."},
            "to": {"type": "string", "description": "Last paused day, YYYY-MM-DD, inclusive."},
            "reason": {"type": "string", "maxLength": 200},
        },
        ("goal_id", "from", "to"),
        pause_goal,
    ),
]
