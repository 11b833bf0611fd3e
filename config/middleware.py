"""Guards that run before anything reads the request (body size, NUL bytes in the URL), the
browser-only middleware that API requests skip, and the 503 for views that are not DRF's when
the database is away."""

from urllib.parse import unquote

from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.http import HttpResponse
from django.utils.translation import gettext as _

from config.body_limits import body_limit, too_large_body
from config.exceptions import json_error, service_unavailable_response
from config.outage import DATABASE_ERRORS, database_log


class RequestGuardMiddleware:
    """Refuse oversize bodies (413), bodies of unknown length (411) and NUL bytes in the path
    or query string (400).

    DRF parses JSON from the raw stream, which bypasses Django's DATA_UPLOAD_MAX_MEMORY_SIZE,
    so the declared Content-Length is checked here. The voice upload route has its own limit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request.path)
        raw_length = request.META.get("CONTENT_LENGTH")
        if not raw_length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Without Content-Length, DRF reads no body at all: the request would be handled as
            # if it were empty (and its size never checked). Say so instead.
            return json_error(411, "length_required", _("The request needs a Content-Length."))
        try:
            length = int(raw_length or 0)
        except ValueError:
            return json_error(400, "bad_request", _("Invalid Content-Length header."))
        if length > limit:
            # Nothing of the body has been read (granian reads it lazily); the envelope in the
            # client's language, as LocaleMiddleware has not run yet (config/body_limits.py).
            body = too_large_body(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
            return HttpResponse(body, status=413, content_type="application/json")
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in unquote(query) or "%00" in query.lower():
            return json_error(400, "null_character", _("Text may not contain NUL characters."))
        return self.get_response(request)


class _SkippedForApi:
    """A browser-only middleware that lets API requests pass untouched.

    Sessions, `request.user` from the session and messages serve the admin and nothing under
    /api/v1/ (the API authenticates with bearer tokens through DRF), yet each cost every API
    request its calls: together with the rest of the stack about 0.8 ms of CPU on a 5 ms task
    list (bench/RESULTS.md). Subclasses of Django's own classes, so the admin's system checks
    still find them.
    """

    API_PREFIX = "/api/v1/"

    def __call__(self, request):
        if request.path_info.startswith(self.API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(_SkippedForApi, sessions_middleware.SessionMiddleware):
    pass


class AuthenticationMiddleware(_SkippedForApi, auth_middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(_SkippedForApi, messages_middleware.MessageMiddleware):
    pass


class DatabaseUnavailableMiddleware:
    """503 `service_unavailable` with Retry-After for a view that is not DRF's (the fast task
    list, the admin) when the database is away; DRF views get the same answer from
    config/exceptions.py. Without it they would answer 500, which a client cannot tell apart
    from a bug. Only `process_exception`: nothing runs on requests that succeed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        database_log.failed(exception)
        return service_unavailable_response()
