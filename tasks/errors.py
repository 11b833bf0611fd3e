"""Domain errors of tasks and categories; codes are a contract with clients and the assistant."""

from django.utils.translation import gettext_lazy as _

from config.exceptions import Conflict, DomainError

# The one answer to a category id that is not the acting user's (a missing id, a malformed one,
# another user's), from serializers, services and the admin of tasks and goals alike.
UNKNOWN_CATEGORY = _("Unknown category.")


class TaskNotRunning(Conflict):
    code = "task_not_running"
    message = _("The task's timer is not running.")


class TaskAlreadyCompleted(Conflict):
    code = "task_already_completed"
    message = _("The task is already completed.")


class TaskNotCompleted(Conflict):
    code = "task_not_completed"
    message = _("Only a completed task can be reopened.")


class TimeOverlap(Conflict):
    code = "time_overlap"
    message = _("The time entry overlaps time already tracked.")


class CategoryExists(DomainError):
    code = "category_exists"
    message = _("A category with this name already exists.")


class InvalidInput(DomainError):
    """Field errors found by a service (rules a serializer cannot see, e.g. "not in the
    future"); answered like a serializer's validation error."""

    code = "validation_error"
    message = _("Invalid input.")
