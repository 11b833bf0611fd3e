import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.sources import VALUE_CHOICES, Source


class DayPlan(models.Model):
    """What a person means to do on one of their local days, sized to the minutes they have
    (docs/planning.md). One per (user, local date): building it again replaces its items.

    The figures it was built with are kept (minutes available, the energy that lightened it,
    the estimate factor), so the plan can say why it holds what it holds."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="day_plans",
        verbose_name=_("user"),
    )
    date = models.DateField(_("date"))
    working_start = models.TimeField(_("working hours start"))
    working_end = models.TimeField(_("working hours end"))
    available_minutes = models.PositiveIntegerField(_("minutes available"))
    capacity_minutes = models.PositiveIntegerField(_("minutes planned for"))
    energy = models.PositiveSmallIntegerField(_("morning energy"), null=True, blank=True)
    estimate_factor = models.DecimalField(_("estimate factor"), max_digits=4, decimal_places=2)
    estimate_sample = models.PositiveIntegerField(_("estimate sample"), default=0)
    # Tasks that were next in line but did not fit: [{"task_id", "title", "minutes"}].
    left_out = models.JSONField(_("left out"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=VALUE_CHOICES, default=Source.API)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "day_plans"
        ordering = ["-date", "-id"]
        verbose_name = _("day plan")
        verbose_name_plural = _("day plans")
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="day_plans_one_per_day"),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="day_plans_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} · {self.user_id}"


class DayPlanItem(models.Model):
    """One task in a day plan, in its place, with the minutes set aside for it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(
        DayPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("plan")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="day_plan_items",
        verbose_name=_("user"),
    )
    # A deleted task leaves the plan with it.
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="plan_items", verbose_name=_("task")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    planned_minutes = models.PositiveIntegerField(_("planned minutes"))
    # The task's own estimate when it was planned (null: it had none, the default was used).
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), null=True, blank=True)
    carried_over = models.BooleanField(_("carried over"), default=False)

    class Meta:
        db_table = "day_plan_items"
        ordering = ["plan", "position"]
        verbose_name = _("day plan item")
        verbose_name_plural = _("day plan items")
        constraints = [
            models.UniqueConstraint(fields=["plan", "task"], name="day_plan_items_task_once"),
        ]
        indexes = [models.Index(fields=["task"], name="day_plan_items_task_idx")]

    def __str__(self) -> str:
        return f"{self.position}. {self.task_id}"


class WeeklyReview(models.Model):
    """A person's review of one ISO week (Monday `week_start` to Sunday): its figures, and a
    few sentences about them written by the model or the template. One per (user, week)."""

    class Source(models.TextChoices):
        SCHEDULE = "schedule", "schedule"
        ADMIN = "admin", "admin"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="weekly_reviews",
        verbose_name=_("user"),
    )
    week_start = models.DateField(_("week start"))
    stats = models.JSONField(_("stats"), default=dict)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=2)
    # Null, not "", when no model wrote the text (as daily summaries).
    model = models.CharField(_("model"), max_length=100, null=True, blank=True)  # noqa: DJ001
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), null=True, blank=True)
    llm_error = models.CharField(_("model error"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)

    class Meta:
        db_table = "weekly_reviews"
        ordering = ["-week_start", "-id"]
        verbose_name = _("weekly review")
        verbose_name_plural = _("weekly reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week_start"], name="weekly_reviews_one_per_week"
            ),
        ]

    def __str__(self) -> str:
        year, week, _day = self.week_start.isocalendar()
        return f"{year}-W{week:02d} · {self.user_id}"
