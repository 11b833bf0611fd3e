import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.sources import VALUE_CHOICES, Source

# What a person sets on a goal (the rest is computed or recorded): the input of the API, the
# assistant and the admin, in the order the API lists them.
GOAL_INPUT_FIELDS = (
    "title",
    "description",
    "category",
    "target_value",
    "unit",
    "period",
    "start_date",
    "due_date",
)


class Goal(models.Model):
    class Period(models.TextChoices):
        NONE = "none", _("No period")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        ARCHIVED = "archived", _("Archived")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("user"),
        # No index of its own: every composite index of the table leads with it (Meta).
        db_index=False,
    )
    category = models.ForeignKey(
        "tasks.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30)
    period = models.CharField(
        _("period"), max_length=10, choices=Period.choices, default=Period.NONE
    )
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    achieved_at = models.DateTimeField(_("achieved at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=VALUE_CHOICES, default=Source.API)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "goals"
        ordering = ["-created_at", "-id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        indexes = [models.Index(fields=["user", "status"], name="goals_user_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_value__gt=Decimal("0")), name="goals_target_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=models.F("start_date")),
                name="goals_due_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(period__in=["none", "daily", "weekly", "monthly"]),
                name="goals_period_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "achieved", "archived"]),
                name="goals_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values),
                name="goals_source_valid",
            ),
            # "achieved" always says when; "active" never carries a stale date. An archived goal
            # keeps the date it was achieved on, if any.
            models.CheckConstraint(
                condition=~Q(status="achieved") | Q(achieved_at__isnull=False),
                name="goals_achieved_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(achieved_at__isnull=True),
                name="goals_active_has_no_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_periodic(self) -> bool:
        return self.period != self.Period.NONE


class GoalProgress(models.Model):
    """One entry of progress. Append-only from the API: a mistake is corrected with a negative
    entry, so the history of what was logged stays readable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    goal = models.ForeignKey(
        Goal,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("goal"),
        # No index of its own: every composite index of the table leads with it (Meta).
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="goal_progress",
        verbose_name=_("user"),
        # No index of its own: every composite index of the table leads with it (Meta).
        db_index=False,
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    source = models.CharField(_("source"), max_length=10, choices=VALUE_CHOICES, default=Source.API)
    # The staff member behind an `admin` entry (NULL otherwise, or once that account is gone).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting staff member"),
        db_index=False,  # the partial index in Meta
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "goal_progress"
        ordering = ["-recorded_at", "-created_at", "-id"]
        verbose_name = _("goal progress")
        verbose_name_plural = _("goal progress")
        indexes = [
            models.Index(fields=["goal", "recorded_at"], name="goal_progress_goal_rec_idx"),
            models.Index(fields=["user", "recorded_at"], name="goal_progress_user_rec_idx"),
            # As task events: only staff entries have an actor (the SET NULL of its deletion).
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="goal_progress_actor_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(value=Decimal("0")), name="goal_progress_value_nonzero"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values),
                name="goal_progress_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} · {self.goal_id}"


class GoalPause(models.Model):
    """A stretch of local days (illness, travel, rest) in which a periodic goal asks nothing:
    the paused days neither break its streak nor count against their period (the rules are
    goals/pauses.py). Both dates are inclusive local days of the goal's owner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("goal")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="goal_pauses",
        verbose_name=_("user"),
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=VALUE_CHOICES, default=Source.API)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "goal_pauses"
        ordering = ["-date_from", "-created_at", "-id"]
        verbose_name = _("goal pause")
        verbose_name_plural = _("goal pauses")
        indexes = [models.Index(fields=["goal", "date_to"], name="goal_pauses_goal_to_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="goal_pauses_to_not_before"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="goal_pauses_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date_from} – {self.date_to} · {self.goal_id}"
