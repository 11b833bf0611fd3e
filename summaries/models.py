import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DailySummary(models.Model):
    """What one person did on one of their local days, and a few sentences about it.

    One row per (user, local date): generating again replaces it (services.summary_generate).
    `model` is null when the text came from the template; `llm_error` and `llm_failures` record
    a model call that failed (the template text stands in and the due sweep tries the model
    again later, see docs/summaries.md).
    """

    class Source(models.TextChoices):
        SCHEDULE = "schedule", "schedule"
        REQUEST = "request", "request"
        ASSISTANT = "assistant", "assistant"
        ADMIN = "admin", "admin"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="daily_summaries",
        verbose_name=_("user"),
    )
    date = models.DateField(_("date"))
    stats = models.JSONField(_("stats"), default=dict)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=2)
    # Null, not "", when no model wrote the text: the design's schema says so.
    model = models.CharField(_("model"), max_length=100, null=True, blank=True)  # noqa: DJ001
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    llm_error = models.CharField(_("model error"), max_length=40, blank=True)
    llm_failures = models.PositiveSmallIntegerField(_("model failures"), default=0)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "daily_summaries"
        ordering = ["-date", "-id"]
        verbose_name = _("daily summary")
        verbose_name_plural = _("daily summaries")
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="daily_summaries_user_date"),
            models.CheckConstraint(
                condition=Q(source__in=["schedule", "request", "assistant", "admin"]),
                name="daily_summaries_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.date:%Y-%m-%d}"
