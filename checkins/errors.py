from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError, NotFound


class CheckInNotFound(NotFound):
    message = _("Check-in not found.")


class CheckInInvalid(DomainError):
    """Field errors found by a service (the same shape as a serializer's validation errors)."""

    code = "validation_error"
    message = _("Invalid input.")
