from django.utils.translation import gettext_lazy as _

from config.exceptions import Conflict, NotFound


class MemoryNotFound(NotFound):
    message = _("Memory not found.")


class MemoryLimitReached(Conflict):
    code = "memory_limit_reached"
    message = _("You already keep the most memories allowed. Delete one to save another.")
