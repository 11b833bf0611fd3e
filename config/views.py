"""Django-level error views, for requests that never reach a DRF view."""

import sys

from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error

from config.exceptions import json_error, service_unavailable_response
from config.outage import DATABASE_ERRORS


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/health", "/ws/"))


def not_found(request, exception=None):
    if _is_api(request):
        return json_error(404, "not_found", _("Not found."))
    return page_not_found(request, exception)


def server_failure(request):
    # Django calls this handler while handling the exception: a database outage that broke a
    # middleware (the admin's sessions) is a 503 too, not a bug.
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return service_unavailable_response()
    if _is_api(request):
        return json_error(500, "server_error", _("Internal server error."))
    return server_error(request)


def bad_request(request, exception=None):
    return json_error(400, "bad_request", _("Bad request."))


@csrf_exempt  # else a POST to an unknown path is a CSRF 403 HTML page, not the 404 envelope
def api_not_found(request, *args, **kwargs):
    """Catch-all under /api/ so unknown API paths get the envelope even with DEBUG on."""
    return json_error(404, "not_found", _("Not found."))
