from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.exceptions import DomainError


class CheckInNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = _("Check-in not found.")


class CheckInInvalid(DomainError):
    """Field errors found by a service (the same shape as a serializer's validation errors)."""

    code = "validation_error"
    message = _("Invalid input.")
