"""The HTTP edge of the logs: every request gets its request id, returns it in the
`X-Request-Id` response header, and ends with one access line.

First in settings.MIDDLEWARE, so the id is bound before anything else can log and the line
also covers what the guards after it refuse (413, 411, 400). The access line names the route
(the URL pattern's name, e.g. `task-detail`, or its pattern), never the path: paths carry ids,
and a route is what an operator groups by. Successful health probes are not logged: the load
balancer sends one every 2 s to every task (deploy/stack.yml), and they would drown the rest.
"""

import logging
import time

from django.urls import Resolver404, resolve

from config.health import HEALTH_PATH, READY_PATH
from config.observability import context

access_log = logging.getLogger("access")

REQUEST_ID_HEADER = "X-Request-Id"
UNMATCHED_ROUTE = "unmatched"


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        log = RequestLog(request)
        try:
            response = self.get_response(request)
            log.finish(request, response)
            return response
        finally:
            log.close()


class RequestLog:
    """One request's id, bound from here to `close()`, and its access line (`finish`), for
    the middleware (`route` given: it knows the route without resolving the path again)."""

    def __init__(self, request):
        self.started = time.perf_counter()
        self.request_id = context.edge_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        self._token = context.start(request_id=self.request_id)

    def finish(self, request, response, route: str | None = None) -> None:
        response[REQUEST_ID_HEADER] = self.request_id
        if not (response.status_code == 200 and _is_health_probe(request)):
            _log_access(request, response, self.started, route)

    def close(self) -> None:
        context.reset(self._token)


def handshake_request_id(scope) -> str:
    """A websocket's id, from its handshake as an HTTP request's: the `X-Request-Id` it came
    with, when safe, else a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            return context.edge_request_id(value)
    return context.new_request_id()


def route_of(request) -> str:
    """The URL pattern's name (`task-detail`), else the pattern itself; never the path. A
    request answered before URL resolution (a guard, a health probe) is resolved here."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED_ROUTE
    return match.view_name or match.route or UNMATCHED_ROUTE


def _is_health_probe(request) -> bool:
    path = request.path_info
    return bool(HEALTH_PATH.match(path) or READY_PATH.match(path))


def _log_access(request, response, started: float, route: str | None) -> None:
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    route = route or route_of(request)
    access_log.info(
        "%s %s %s %.1fms",
        request.method,
        route,
        response.status_code,
        duration_ms,
        extra={
            "route": route,
            "method": request.method,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
