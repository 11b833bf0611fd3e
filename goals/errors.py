from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.exceptions import Conflict, DomainError


class GoalNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = _("Goal not found.")


class GoalArchived(Conflict):
    code = "goal_archived"
    message = _("This goal is archived. Set its status back to active to change it.")


class GoalInvalid(DomainError):
    """Field errors found by a service (the same shape as a serializer's validation errors)."""

    code = "validation_error"
    message = _("Invalid input.")
