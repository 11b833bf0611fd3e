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


class GoalPauseNotFound(NotFound):
    message = _("Pause not found.")


class GoalNotPeriodic(Conflict):
    code = "goal_not_periodic"
    message = _("Only a goal with a period (daily, weekly or monthly) can be paused.")


class GoalPauseOverlap(Conflict):
    code = "goal_pause_overlap"
    message = _("This goal already has a pause on some of those days.")


class GoalPauseOver(Conflict):
    code = "goal_pause_over"
    message = _("This pause is already over.")
