"""Day plans and weekly reviews in and out. Input serializers read the acting user from
`context["user"]`, so the assistant's tools validate with exactly these classes."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.fields import validate_calendar_date
from planning.models import DayPlan, WeeklyReview
from planning.realtime import plan_data, review_data
from planning.sizing import MAX_ITEMS

# strptime's %m and %d also take one digit; a path's date is exactly YYYY-MM-DD.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
TODAY = "today"


class WorkingHoursSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="HH:MM, local.")
    end = serializers.CharField(help_text="HH:MM, local.")


class PlanItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    task_id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField(help_text="The task's status now.")
    priority = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    category = serializers.CharField(allow_null=True, help_text="The category's name.")
    estimated_minutes = serializers.IntegerField(
        allow_null=True, help_text="The task's own estimate when planned; null: it had none."
    )
    planned_minutes = serializers.IntegerField(
        help_text="Minutes set aside: the estimate corrected by your estimate factor, less the "
        "time already tracked, at least 10; 30 for a task without an estimate."
    )
    tracked_minutes = serializers.IntegerField(help_text="Tracked on the task so far, in all.")
    carried_over = serializers.BooleanField(help_text="Left over from your previous plan.")
    done = serializers.BooleanField(help_text="The task is completed.")


class LeftOutSerializer(serializers.Serializer):
    task_id = serializers.UUIDField()
    title = serializers.CharField()
    minutes = serializers.IntegerField()


class DayPlanSerializer(serializers.ModelSerializer):
    """A day plan: the minutes it was sized to, why, and its tasks in order."""

    working_hours = WorkingHoursSerializer(read_only=True)
    planned_minutes = serializers.IntegerField(
        read_only=True, help_text="The sum of the items' planned minutes."
    )
    lightened = serializers.BooleanField(
        read_only=True, help_text="Sized to 70% of the minutes after a low-energy morning."
    )
    estimate_factor = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        read_only=True,
        help_text="Your tracked / estimated time over the last 28 days (1.00 under 5 tasks).",
    )
    items = PlanItemSerializer(many=True, read_only=True)
    left_out = LeftOutSerializer(
        many=True, read_only=True, help_text="Tasks due today or carried over that did not fit."
    )
    source = serializers.CharField(read_only=True, help_text="api or assistant.")

    class Meta:
        model = DayPlan
        fields = [
            "id",
            "date",
            "working_hours",
            "available_minutes",
            "capacity_minutes",
            "planned_minutes",
            "energy",
            "lightened",
            "estimate_factor",
            "estimate_sample",
            "items",
            "left_out",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "available_minutes": {"help_text": "Minutes left of your working hours at build."},
            "capacity_minutes": {"help_text": "Minutes the plan was sized to."},
            "energy": {"help_text": "This morning's check-in energy, if any."},
        }

    def to_representation(self, plan: DayPlan) -> dict:
        return plan_data(plan)


class PlanUpdateSerializer(serializers.Serializer):
    """Body of PATCH /plans/today: the plan's tasks in their new order."""

    task_ids = serializers.ListField(
        child=serializers.UUIDField(),
        max_length=MAX_ITEMS,
        allow_empty=True,
        help_text="Task ids in the new order: a planned task left out is dropped, an open task "
        "not yet planned is added.",
    )


class PlanDayQuerySerializer(serializers.Serializer):
    """The assistant's `get_plan` argument."""

    date = serializers.DateField(required=False, input_formats=["iso-8601"])


def validate_plan_day(value: str, *, user):
    """A path's day: `today` or a real YYYY-MM-DD (400 on `date` otherwise)."""
    if value == TODAY:
        return user.local_now().date()
    field = serializers.DateField(input_formats=["%Y-%m-%d"], validators=[validate_calendar_date])
    try:
        if not _DAY.fullmatch(value or ""):
            field.fail("invalid", format="YYYY-MM-DD")
        return field.run_validation(value)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"date": exc.detail}) from exc


def validate_today(day, *, user):
    """Plans are built for today only."""
    if day != user.local_now().date():
        raise serializers.ValidationError({"date": [_("A plan can only be built for today.")]})
    return day


class WeeklyReviewSerializer(serializers.ModelSerializer):
    week = serializers.CharField(read_only=True, help_text="The ISO week, e.g. 2026-W44.")
    stats = serializers.JSONField(
        read_only=True, help_text="The week's figures and the week before (docs/planning.md)."
    )
    model = serializers.CharField(
        read_only=True, allow_null=True, help_text="The model that wrote the text; null: template."
    )
    source = serializers.CharField(read_only=True, help_text="schedule or admin.")

    class Meta:
        model = WeeklyReview
        fields = [
            "id",
            "week",
            "week_start",
            "text",
            "language",
            "stats",
            "model",
            "source",
            "generated_at",
        ]
        read_only_fields = fields

    def to_representation(self, review: WeeklyReview) -> dict:
        return review_data(review)
