"""The hottest requests answered in front of Django's middleware stack and URL resolver (WSGI).

Every client opens with `GET /api/v1/tasks` and switches timers all day, and on a 2-core server
their cost decides how many users one VPS serves. Through the whole stack, a list request spent
about 0.5 ms of CPU in the 14 middleware layers, the URL resolver and the handler before its
view ran, a third of the request; a timer switch about 1.4 ms in those and DRF's dispatch
(bench/RESULTS.md). `FastPaths` wraps the WSGI application (config/wsgi.py) and answers the
routes it is given itself when the request is plain: no body, a query string of letters,
digits, `=` and `&` only. Everything the middleware stack does for such a request is done by
the middleware's own code, in the same order: the host and HTTPS checks (CommonMiddleware,
SecurityMiddleware: a request they would redirect or refuse is not taken), the request's
language (LocaleMiddleware), and on the way out the security headers, CORS,
`Vary`/`Content-Language`, `X-Frame-Options` and `Content-Length`. Django's request signals
are sent as its handler sends them, so database connections are kept and recycled the same way.

A route's handler takes the Django request (and the route's named groups) and returns the
response, or None to let the full stack answer: every refusal (no or bad token, a throttle, a
filter, a page past the end, a task that is not yours, a 409) is answered by the view behind
it with the usual envelope. A handler may only return None when it has changed nothing (a
write refused inside its transaction has been rolled back). A database error raised out of a
handler is left to the stack too (its answer is the 503 of config/outage.py), and any other
exception is logged and the request handed over, so a bug here costs speed, never an answer.
tests/tasks/test_fastpath_wsgi.py holds the answers of both paths equal, headers included.

Daphne (`make run`, the `ws` role) serves through config/asgi.py without this layer; the views
behind the routes keep a faster path of their own inside Django (tasks/views/fast.py).
"""

import logging
import re

from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import translation
from django.utils.module_loading import import_string

logger = logging.getLogger("config.fastpath")

_PLAIN_QUERY = re.compile(r"[A-Za-z0-9_=&]*")


def _unused(request):  # the middleware below are only asked for their request/response steps
    raise AssertionError("not called")


class FastPaths:
    """`routes`: "METHOD path" -> dotted name of a handler(request, **groups) -> HttpResponse |
    None, imported at the first request (config/wsgi.py, the composition root, names them). A
    path with named groups (`(?P<pk>...)`) is a pattern matched in full; the others are exact."""

    def __init__(self, application, routes: dict[str, str]):
        self.application = application
        self.route_names = dict(routes)
        self.exact: dict | None = None
        self.patterns: list = []
        self._route_names: dict = {}

    def _load(self) -> None:
        from corsheaders.middleware import CorsMiddleware

        # Imported once Django is set up (config/wsgi.py imports this module before).
        from config.observability.middleware import RequestLog, route_of

        self.request_log, self.route_of = RequestLog, route_of

        self.security = SecurityMiddleware(_unused)
        self.common = CommonMiddleware(_unused)
        self.locale = LocaleMiddleware(_unused)
        self.cors = CorsMiddleware(_unused)
        self.xframe = XFrameOptionsMiddleware(_unused)
        exact = {}
        for route, name in self.route_names.items():
            method, path = route.split(" ", 1)
            if "(?P" in path:
                self.patterns.append((method, re.compile(path), import_string(name)))
            else:
                exact[(method, path)] = import_string(name)
        self.exact = exact

    def _route(self, environ):
        if self.exact is None:
            self._load()
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        handler = self.exact.get((method, path))
        if handler is not None:
            return handler, {}
        for pattern_method, pattern, handler in self.patterns:
            if method == pattern_method and (match := pattern.fullmatch(path)):
                return handler, match.groupdict()
        return None, None

    def __call__(self, environ, start_response):
        handler, groups = self._route(environ)
        if handler is None or not _plain(environ):
            return self.application(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        request = WSGIRequest(environ)
        # The request id and access line of config/observability, as its middleware does.
        log = self.request_log(request)
        try:
            try:
                response = self._answer(request, handler, groups)
            except (DatabaseError, DisallowedHost):
                # The full stack answers: a 503 with Retry-After (config/outage.py), or the 400
                # and the security log line of a host that is not allowed.
                response = None
            except Exception:
                logger.exception(
                    "fast path failed for %s; answered by the full stack", request.path
                )
                response = None
            finally:
                translation.deactivate()
            if response is not None:
                log.finish(request, response, self._route_name(handler, groups, request))
        finally:
            log.close()
        if response is None:
            signals.request_finished.send(sender=self.__class__)
            environ["HTTP_X_REQUEST_ID"] = log.request_id  # the stack's lines keep the id
            return self.application(environ, start_response)
        response._handler_class = self.__class__  # close() sends request_finished
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [
            *response.items(),
            *(("Set-Cookie", c.OutputString()) for c in response.cookies.values()),
        ]
        start_response(status, headers)
        return response

    def _route_name(self, handler, groups: dict, request) -> str:
        # What the stack's access line would name it, resolved once per handler and action
        # (one handler serves task-start, task-pause, ...; the other groups are ids).
        key = (handler, groups.get("action"))
        name = self._route_names.get(key)
        if name is None:
            name = self._route_names[key] = self.route_of(request)
        return name

    def _answer(self, request, handler, groups: dict):
        # The request half of the middleware a plain request goes through (config/settings.py):
        # a redirect or refusal there means the full stack should answer.
        if self.security.process_request(request) is not None:
            return None
        if self.common.process_request(request) is not None:  # a bad host raises DisallowedHost
            return None
        self.locale.process_request(request)
        response = handler(request, **groups)
        if response is None:
            return None
        # The response half, innermost first, as the stack runs it.
        response = self.xframe.process_response(request, response)
        response = self.common.process_response(request, response)
        response = self.locale.process_response(request, response)
        self.cors.add_response_headers(request, response)
        return self.security.process_response(request, response)


def _plain(environ) -> bool:
    """A request with no body and a query string that needs no decoding (config/middleware.py's
    guards and DRF's parsers have nothing to say about it). CSRF has nothing to say either: the
    API's views are exempt (bearer tokens, no cookies)."""
    return (
        environ.get("CONTENT_LENGTH", "") in ("", "0")
        and "HTTP_TRANSFER_ENCODING" not in environ
        and _PLAIN_QUERY.fullmatch(environ.get("QUERY_STRING", "")) is not None
    )
