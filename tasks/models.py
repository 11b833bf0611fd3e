import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

validate_color = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Use a #RRGGBB color.", code="invalid_color")


class Category(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(max_length=60)
    color = models.CharField(max_length=7, default="#6B7280", validators=[validate_color])
    icon = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "categories"
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="categories_user_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name
