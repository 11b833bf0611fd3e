import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.sources import VALUE_CHOICES, Source


class CheckIn(models.Model):
    class Kind(models.TextChoices):
        MORNING = "morning", _("Morning")
        EVENING = "evening", _("Evening")
        ADHOC = "adhoc", _("Ad hoc")

    Source = Source

    SCALE = [MinValueValidator(1), MaxValueValidator(5)]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="check_ins",
        verbose_name=_("user"),
        # No index of its own: every composite index of the table leads with it (Meta).
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ADHOC)
    mood = models.PositiveSmallIntegerField(_("mood"), validators=SCALE)
    energy = models.PositiveSmallIntegerField(_("energy"), validators=SCALE)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=VALUE_CHOICES, default=Source.API)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "check_ins"
        ordering = ["-recorded_at", "-created_at", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["user", "recorded_at"], name="check_ins_user_rec_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(mood__gte=1, mood__lte=5), name="check_ins_mood_1_5"
            ),
            models.CheckConstraint(
                condition=Q(energy__gte=1, energy__lte=5), name="check_ins_energy_1_5"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["morning", "evening", "adhoc"]), name="check_ins_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values),
                name="check_ins_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.recorded_at:%Y-%m-%d %H:%M}"
