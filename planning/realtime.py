"""Live updates of day plans and weekly reviews: the payloads, built from the models (no
serializer: services import this module), and their publishing through config/realtime.py.
The serializers render with `plan_data` and `review_data` too, so a frame and the REST
representation are one."""

from datetime import datetime

from django.utils import timezone

from config import realtime
from config.fields import iso_date, iso_datetime
from planning.models import DayPlan, DayPlanItem, WeeklyReview
from tasks.models import Task


def item_data(item: DayPlanItem, now: datetime) -> dict:
    task = item.task
    return {
        "id": str(item.pk),
        "task_id": str(task.pk),
        "title": task.title,
        "status": task.status,
        "priority": task.priority,
        "due_at": iso_datetime(task.due_at),
        "category": None if task.category is None else task.category.name,
        "estimated_minutes": item.estimated_minutes,
        "planned_minutes": item.planned_minutes,
        "tracked_minutes": task.tracked_seconds_at(now) // 60,
        "carried_over": item.carried_over,
        "done": task.status == Task.Status.COMPLETED,
    }


def plan_data(plan: DayPlan, now: datetime | None = None) -> dict:
    """The plan with its items in order (`plan.items` prefetched, or read here)."""
    now = now or timezone.now()
    items = [item_data(item, now) for item in plan.items.all()]
    return {
        "id": str(plan.pk),
        "date": iso_date(plan.date),
        "working_hours": {
            "start": plan.working_start.strftime("%H:%M"),
            "end": plan.working_end.strftime("%H:%M"),
        },
        "available_minutes": plan.available_minutes,
        "capacity_minutes": plan.capacity_minutes,
        "planned_minutes": sum(item["planned_minutes"] for item in items),
        "energy": plan.energy,
        "lightened": plan.capacity_minutes < plan.available_minutes,
        "estimate_factor": f"{plan.estimate_factor:.2f}",
        "estimate_sample": plan.estimate_sample,
        "items": items,
        "left_out": plan.left_out,
        "source": plan.source,
        "created_at": iso_datetime(plan.created_at),
        "updated_at": iso_datetime(plan.updated_at),
    }


def review_data(review: WeeklyReview) -> dict:
    year, week, _ = review.week_start.isocalendar()
    return {
        "id": str(review.pk),
        "week": f"{year}-W{week:02d}",
        "week_start": iso_date(review.week_start),
        "text": review.text,
        "language": review.language,
        "stats": review.stats,
        "model": review.model,
        "source": review.source,
        "generated_at": iso_datetime(review.generated_at),
    }


def publish_plan(plan: DayPlan, *, source: str) -> None:
    realtime.publish(plan.user_id, "plan.updated", {"plan": plan_data(plan), "source": source})


def publish_review(review: WeeklyReview) -> None:
    realtime.publish(review.user_id, "review.created", {"review": review_data(review)})
