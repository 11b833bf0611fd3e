import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.sources import VALUE_CHOICES, Source

# A memory is a short fact, not a document: it is sent to the model with every message.
TEXT_MAX_LENGTH = 300
# How many one person may keep (docs/memories.md): the prompt's share stays bounded, and the
# list a tool answers stays one screen.
MAX_PER_USER = 50


class Memory(models.Model):
    """A fact about the person the assistant keeps across conversations ("los lunes rindo
    menos"). Saved only on the person's word; given to the model as data, never as rules."""

    Source = Source

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memories",
        verbose_name=_("user"),
    )
    text = models.CharField(_("text"), max_length=TEXT_MAX_LENGTH)
    source = models.CharField(_("source"), max_length=10, choices=VALUE_CHOICES, default=Source.API)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "memories"
        ordering = ["-created_at", "-id"]
        verbose_name = _("memory")
        verbose_name_plural = _("memories")
        indexes = [models.Index(fields=["user", "-created_at"], name="memories_user_created_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="memories_text_not_empty"),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="memories_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
