"""Live updates of goals: the payloads, built from the models and the goal's statistics (no
serializer: services import this module), and their publishing through config/realtime.py.
`GoalSerializer` and `GoalProgressSerializer` render with `goal_data` and `progress_data` too,
so a frame and the REST representation are one."""

from datetime import tzinfo
from decimal import Decimal

from config import realtime
from config.fields import iso_date, iso_datetime
from goals.models import Goal, GoalPause, GoalProgress
from goals.selectors import GoalStats, goal_stats

CENTS = Decimal("0.01")


def _decimal(value: Decimal) -> str:
    """As DRF's DecimalField(decimal_places=2) writes it: a string with two places."""
    return f"{value.quantize(CENTS):f}"


def goal_data(goal: Goal, stats: GoalStats, tz: tzinfo | None = None) -> dict:
    return {
        "id": str(goal.pk),
        "title": goal.title,
        "description": goal.description,
        "category": None if goal.category_id is None else str(goal.category_id),
        "target_value": _decimal(goal.target_value),
        "unit": goal.unit,
        "period": goal.period,
        "start_date": iso_date(goal.start_date),
        "due_date": iso_date(goal.due_date),
        "status": goal.status,
        "achieved_at": iso_datetime(goal.achieved_at, tz),
        "current_value": _decimal(stats.current_value),
        "total_value": _decimal(stats.total_value),
        "progress_percent": stats.progress_percent,
        "remaining": _decimal(stats.remaining),
        "period_start": iso_date(stats.period_start),
        "period_end": iso_date(stats.period_end),
        "streak": stats.streak,
        "paused_until": iso_date(stats.paused_until),
        "created_at": iso_datetime(goal.created_at, tz),
        "updated_at": iso_datetime(goal.updated_at, tz),
    }


def progress_data(progress: GoalProgress, tz: tzinfo | None = None) -> dict:
    return {
        "id": str(progress.pk),
        "goal": str(progress.goal_id),
        "value": _decimal(progress.value),
        "note": progress.note,
        "recorded_at": iso_datetime(progress.recorded_at, tz),
        "source": progress.source,
        "created_at": iso_datetime(progress.created_at, tz),
    }


def pause_data(pause: GoalPause) -> dict:
    return {
        "id": str(pause.pk),
        "goal": str(pause.goal_id),
        "from": iso_date(pause.date_from),
        "to": iso_date(pause.date_to),
        "reason": pause.reason,
        "source": pause.source,
        "created_at": iso_datetime(pause.created_at),
    }


def publish_goal(goal: Goal, *, source: str, stats: GoalStats | None = None, **extra) -> None:
    """Announces the goal as it now stands (`stats` where the caller knows them); `extra`
    rides along (the new progress)."""
    data = goal_data(goal, stats or goal_stats(goal, user=goal.user))
    realtime.publish(goal.user_id, "goal.updated", {"goal": data, "source": source, **extra})


def publish_goal_deleted(user_id, goal_id, *, source: str) -> None:
    realtime.publish(user_id, "goal.deleted", {"goal_id": str(goal_id), "source": source})
