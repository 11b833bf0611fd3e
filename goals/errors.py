from django.utils.translation import gettext_lazy as _

from config.exceptions import Conflict, DomainError, NotFound


class GoalNotFound(NotFound):
    message = _("Goal not found.")


class GoalArchived(Conflict):
    code = "goal_archived"
    message = _("This goal is archived. Set its status back to active to change it.")


class GoalInvalid(DomainError):
    """Field errors found by a service (the same shape as a serializer's validation errors)."""

    code = "validation_error"
    message = _("Invalid input.")
