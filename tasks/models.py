"""Categories, tasks and the append-only task event log.

Timer state lives on the task: `running_since` is the start of the open segment (NULL when no
timer runs) and `tracked_seconds` is the sum of the closed segments. Every closed segment is a
`task_events` row with `segment_start`, `segment_end` and `duration_seconds`, so the log is the
source of truth for time reports and `tracked_seconds` is a cache of it kept by the services.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.sources import Source

validate_color = RegexValidator(
    r"^#[0-9A-Fa-f]{6}$", _("Use a #RRGGBB color."), code="invalid_color"
)

ESTIMATED_MINUTES_MAX = 10_000


class Category(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="categories",
        # No index of its own: every composite index of the table leads with it (Meta).
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(
        _("color"), max_length=7, default="#6B7280", validators=[validate_color]
    )
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "categories"
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="categories_user_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_PROGRESS = "in_progress", _("In progress")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tasks",
        # No index of its own: every composite index of the table leads with it (Meta).
        db_index=False,
    )
    # Deleting a category leaves its tasks uncategorised.
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    estimated_minutes = models.PositiveIntegerField(
        _("estimated minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(ESTIMATED_MINUTES_MAX)],
    )
    tracked_seconds = models.PositiveBigIntegerField(_("tracked seconds"), default=0)
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "tasks"
        ordering = ["-created_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["user", "status"], name="tasks_user_status_idx"),
            # The list's default order (newest first, id breaking ties): a page is read off
            # this index without sorting the user's other tasks.
            models.Index(fields=["user", "-created_at", "id"], name="tasks_user_created_idx"),
            models.Index(fields=["user", "due_at"], name="tasks_user_due_idx"),
            models.Index(
                fields=["running_since"],
                name="tasks_running_since_idx",
                condition=Q(running_since__isnull=False),
            ),
        ]
        constraints = [
            # The database's half of "one running timer per user"; services also lock the
            # user's row so concurrent starts queue up instead of tripping over this index.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(running_since__isnull=False),
                name="tasks_one_running_per_user",
            ),
            # "Running" has one meaning: in_progress <=> running_since is set.
            models.CheckConstraint(
                condition=(Q(status="in_progress") & Q(running_since__isnull=False))
                | (~Q(status="in_progress") & Q(running_since__isnull=True)),
                name="tasks_running_matches_status",
            ),
            models.CheckConstraint(
                condition=(Q(status="completed") & Q(completed_at__isnull=False))
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
                name="tasks_completed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "in_progress", "paused", "completed"]),
                name="tasks_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=["low", "medium", "high"]),
                name="tasks_priority_valid",
            ),
            models.CheckConstraint(
                condition=Q(estimated_minutes__isnull=True)
                | Q(estimated_minutes__gte=1, estimated_minutes__lte=ESTIMATED_MINUTES_MAX),
                name="tasks_estimated_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_running(self) -> bool:
        return self.running_since is not None

    def tracked_seconds_at(self, now) -> int:
        """Closed time plus the open segment up to `now`."""
        if self.running_since is None:
            return self.tracked_seconds
        return self.tracked_seconds + max(0, int((now - self.running_since).total_seconds()))


class TaskEvent(models.Model):
    """One line of a task's history. Append-only: services insert, nothing updates or deletes
    (rows go only with their task or user). Events that close a stretch of work (`paused`,
    `completed` of a running task, `time_logged`, `corrected`) carry the segment and its
    duration."""

    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        STARTED = "started", _("Started")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        REOPENED = "reopened", _("Reopened")
        TIME_LOGGED = "time_logged", _("Time logged")
        # A running timer stopped at an earlier moment than the request (a forgotten timer,
        # settled from a nudge): it closes the stretch at that moment.
        CORRECTED = "corrected", _("Corrected")

    Source = Source

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("task"),
        # No index of its own: every composite index of the table leads with it (Meta).
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="task_events",
        # No index of its own: every composite index of the table leads with it (Meta).
        db_index=False,
    )
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # Who acted when it was not the user: the staff member behind an `admin` change. NULL for
    # the user's own (api, assistant) and system events; kept NULL if that account is deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting staff member"),
        db_index=False,  # the partial index in Meta
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    segment_start = models.DateTimeField(_("segment start"), null=True, blank=True)
    segment_end = models.DateTimeField(_("segment end"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        db_table = "task_events"
        ordering = ["-occurred_at", "id"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        indexes = [
            models.Index(fields=["task", "-occurred_at"], name="task_events_task_idx"),
            models.Index(fields=["user", "-occurred_at"], name="task_events_user_idx"),
            # Only staff changes have an actor: the index is as small as they are, and no
            # other write maintains it (it serves the SET NULL when a staff account goes).
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="task_events_actor_idx",
            ),
            # Time reports and the overlap check read a user's segments by time.
            models.Index(
                fields=["user", "segment_start", "segment_end"],
                name="task_events_user_segment_idx",
                condition=Q(segment_start__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(segment_start__isnull=True)
                    & Q(segment_end__isnull=True)
                    & Q(duration_seconds__isnull=True)
                )
                | (
                    Q(segment_start__isnull=False)
                    & Q(segment_end__gte=F("segment_start"))
                    & Q(duration_seconds__isnull=False)
                ),
                name="task_events_segment_complete",
            ),
            models.CheckConstraint(
                condition=Q(
                    type__in=[
                        "created",
                        "updated",
                        "started",
                        "paused",
                        "completed",
                        "reopened",
                        "time_logged",
                        "corrected",
                    ]
                ),
                name="task_events_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values),
                name="task_events_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.task_id} @ {self.occurred_at:%Y-%m-%d %H:%M:%S}"
