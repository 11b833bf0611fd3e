"""Requests by route, method and status, their latency, and their database queries and time.

First in settings.MIDDLEWARE, so it also counts what the guards and the health probes answer
before the rest of the stack runs, and its latency covers the whole stack. The route is the URL
pattern's name (`task-detail`), never the path: ids would make a series per object. A request
that matched no pattern is `unmatched`.

Queries are counted with `connection.execute_wrapper` around the request: those run on the
request's own thread (a websocket turn's queries on the thread pool are not a request's).

Its construction is the one moment every server process passes through once, whatever the
server (granian's workers, Daphne), so it also starts the process's metrics endpoint there
(config/metrics/exporter.py; nothing when METRICS_PORT is 0).
"""

import time

from django.db import connection
from django.urls import resolve

from config.metrics import exporter
from config.metrics.series import (
    HTTP_DB_QUERIES,
    HTTP_DB_SECONDS,
    HTTP_LATENCY,
    HTTP_REQUESTS,
    method_label,
)


class _Queries:
    __slots__ = ("count", "seconds")

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def route_name(request) -> str:
    """The matched pattern's name (with its namespace), or its dotted view path when it has
    none; `unmatched` when no pattern matches. Requests answered before URL resolution (the
    health probes, the guards' refusals) are resolved here."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Exception:  # Resolver404, or a path the resolver cannot even read
            return "unmatched"
    return match.view_name or match.route or "unnamed"


# The series of each (route, method, status) seen, so a request skips prometheus-client's
# label lookups (about a third of what recording costs); bounded as the labels are.
_children: dict[tuple[str, str, str], tuple] = {}


def _series(route: str, method: str, status: str) -> tuple:
    key = (route, method, status)
    found = _children.get(key)
    if found is None:
        found = _children[key] = (
            HTTP_REQUESTS.labels(route=route, method=method, status=status),
            HTTP_LATENCY.labels(route=route, method=method),
            HTTP_DB_QUERIES.labels(route=route),
            HTTP_DB_SECONDS.labels(route=route),
        )
    return found


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        exporter.start_from_settings()

    def __call__(self, request):
        started = time.perf_counter()
        queries = _Queries()
        status = "500"  # unless a response comes back
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
            status = str(response.status_code)
            return response
        finally:
            elapsed = time.perf_counter() - started
            requests, latency, query_count, query_seconds = _series(
                route_name(request), method_label(request.method), status
            )
            requests.inc()
            latency.observe(elapsed)
            query_count.observe(queries.count)
            query_seconds.observe(queries.seconds)
