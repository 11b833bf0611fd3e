"""Who made a change: the `source` recorded on task events, goals, goal progress and check-ins,
and the argument every write service of those apps takes.

One set of values, stored as they are in every table (each table's check constraint lists
them). Goals and check-ins were migrated with the bare values as their choices' labels; a label
is no column, so their fields keep `VALUE_CHOICES` rather than carry a migration that changes
nothing in the database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    API = "api", _("API")
    ASSISTANT = "assistant", _("Assistant")
    ADMIN = "admin", _("Admin")
    SYSTEM = "system", _("System")


VALUE_CHOICES = [(value, value) for value in Source.values]


def check_source(source: str) -> None:
    """A service was called with a source outside the four: a programming error, not input."""
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
