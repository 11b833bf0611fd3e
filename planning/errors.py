from django.utils.translation import gettext_lazy as _

from config.exceptions import Conflict, DomainError, NotFound


class PlanNotFound(NotFound):
    message = _("There is no plan for that day.")


class PlanClosed(Conflict):
    code = "plan_closed"
    message = _("Only today's plan can be changed.")


class PlanInvalid(DomainError):
    """Field errors found by a service (the same shape as a serializer's validation errors)."""

    code = "validation_error"
    message = _("Invalid input.")


class ReviewNotFound(NotFound):
    message = _("Weekly review not found.")
