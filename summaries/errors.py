from django.utils.translation import gettext_lazy as _

from config.exceptions import NotFound


class SummaryNotFound(NotFound):
    """No summary stored for that day (or it is someone else's: the same answer). The code
    stays `not_found`, as for every 404; the message says what was missing."""

    message = _("There is no summary of that day.")
