"""The hottest task endpoints without DRF's dispatch, same contract: the plain task list and
the timer actions, answered in front of the middleware under WSGI (config/fastpath.py; the
list also inside Django). Every refusal is left to the viewset (tasks/views/__init__.py)."""

import functools
import math
from types import SimpleNamespace

from django.http import HttpResponse
from django.utils import timezone, translation
from rest_framework.exceptions import APIException
from rest_framework.pagination import _positive_int
from rest_framework.permissions import IsAuthenticated
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.authentication import JWTAuthentication, check_session
from config.exceptions import DomainError, service_unavailable_response
from config.observability import context as log_context
from config.outage import DATABASE_ERRORS, database_log
from config.pagination import PageNumberPagination, page_number, page_offset
from config.renderers import dumps, dumps_native
from tasks import selectors, services
from tasks.realtime import task_row_data
from tasks.selectors import session_page
from tasks.serializers import TaskSerializer
from tasks.views import SOURCE, TaskViewSet

# --- the unfiltered task list without DRF's dispatch ------------------------------------------
# Every client opens with GET /api/v1/tasks, and DRF's request wrapping, negotiation, pagination
# objects and response rendering cost about as much CPU as the work itself (bench/RESULTS.md).
# The plain case (a bearer token, at most `page`/`page_size`, JSON accepted) is answered here
# with the same authentication, throttle, selector, serializer, renderer and links; anything
# else (errors of any kind, a filter, a bad page, another Accept, a 429) goes to
# TaskViewSet.list unchanged, so every error keeps DRF's envelope. `test_task_list_fast_path`
# holds the two answers equal.

_FAST_LIST_PARAMS = frozenset({"page", "page_size"})
_FAST_ACCEPT = frozenset({"", "*/*", "application/json"})


@functools.cache
def _viewset_checks_unchanged() -> bool:
    # The fast paths run the viewset's authentication, throttle and paginator rules
    # themselves: they step aside if the viewset's checks ever change (a throttle, a
    # permission, another authentication, paginator or renderer).
    from config.renderers import ORJSONRenderer
    from config.throttling import UserRateThrottle

    view = TaskViewSet()
    return (
        [type(a) for a in view.get_authenticators()] == [JWTAuthentication]
        and [type(p) for p in view.get_permissions()] == [IsAuthenticated]
        and [type(t) for t in view.get_throttles()] == [UserRateThrottle]
        and view.pagination_class is PageNumberPagination
        and [type(r) for r in view.get_renderers()] == [ORJSONRenderer]
    )


def fast_task_list(request):
    """The response of TaskViewSet.list for the plain case, or None to let DRF answer.
    Also answered in front of the middleware stack under WSGI (config/fastpath.py).

    The viewset's own rules, without DRF's dispatch: the bearer token validated by its
    authentication class, the user row checked by the same `check_session` (read with the
    page, in one query on PostgreSQL), the user's language, its throttle, its paginator's
    page size, numbers and links. Anything it would refuse (a bad token, a revoked session, a
    429, a bad or past-the-end page) is left to DRF to answer in full."""
    if not _viewset_checks_unchanged():
        return None
    if request.method != "GET" or not _FAST_LIST_PARAMS.issuperset(request.GET):
        return None
    if request.META.get("HTTP_ACCEPT", "") not in _FAST_ACCEPT:
        return None
    number, size = _page_number(request), _page_size(request)
    offset = page_offset(number, size) if number is not None else None
    claims = JWTAuthentication().token_claims(request) if offset is not None else None
    if claims is None:
        return None
    user_id, generation = claims
    session, rows, total = session_page.task_page_with_session(
        user_id=user_id, offset=offset, limit=size
    )
    if session is None or (not rows and number > 1):
        return None
    try:
        check_session(
            is_active=session.is_active,
            token_generation=session.token_generation,
            claimed_generation=generation,
        )
    except APIException:
        return None
    log_context.bind(user_id=user_id)  # as JWTAuthentication does
    translation.activate(session.language)
    request.LANGUAGE_CODE = translation.get_language()
    if not _throttle_allows(SimpleNamespace(pk=user_id, is_authenticated=True)):
        return None
    response = HttpResponse(_page_body(request, rows, total, number, size), "application/json")
    response["Allow"] = _LIST_ALLOW
    return response


def _throttle_allows(user) -> bool:
    """The viewset's throttle, as DRF runs it after authentication (these requests cost 1
    unit). Refused: DRF answers the 429 (and checks again, the refused unit given back)."""
    return TaskViewSet.throttle_classes[0]().allow_request(SimpleNamespace(user=user), None)


def _page_number(request) -> int | None:
    # The paginator's own reading of `page` (config.pagination.page_number); a page that is
    # not a number or ends past any list's offset is left to DRF's 404.
    return page_number(request.GET.get(PageNumberPagination.page_query_param) or "1")


def _page_size(request) -> int:
    try:
        return _positive_int(
            request.GET[PageNumberPagination.page_size_query_param],
            strict=True,
            cutoff=PageNumberPagination.max_page_size,
        )
    except (KeyError, ValueError):
        return PageNumberPagination.page_size


def _page_body(request, rows, total: int, number: int, size: int) -> bytes:
    """The paginator's body: count, links as DRF builds them, the rows as TaskSerializer."""
    url = request.build_absolute_uri()
    pages = max(1, math.ceil(total / size))
    body = {
        "count": total,
        "next": replace_query_param(url, "page", number + 1) if number < pages else None,
        "previous": None
        if number == 1
        else remove_query_param(url, "page")
        if number == 2
        else replace_query_param(url, "page", number - 1),
        "results": [],
    }
    now = timezone.now()
    if timezone.get_current_timezone_name() == "UTC":
        body["results"] = [task_row_data(row, now) for row in rows]
        return dumps_native(body)
    body["results"] = TaskSerializer(rows, many=True).data
    return dumps(body)


def with_fast_task_list(view):
    """Wrap the router's tasks list/create view with the fast path for plain GETs."""

    @functools.wraps(view)
    def task_list_or_create(request, *args, **kwargs):
        response = fast_task_list(request)
        if response is not None:
            return response
        return view(request, *args, **kwargs)

    return task_list_or_create


_LIST_ALLOW = "GET, POST, HEAD, OPTIONS"


# --- the timer actions without DRF's dispatch ---------------------------------------------------
# A timer switch spent about 1.4 ms of CPU in the middleware, DRF's dispatch and rendering, more
# than half of what the switch itself costs (bench/RESULTS.md). POST /tasks/{id}/start (pause,
# complete, reopen) with a bearer token is answered here by the viewset's authentication class,
# throttle, service, serializer and renderer. A refusal is left to the viewset: authentication
# and the throttle refuse before anything is written, and the services raise their 404/409
# inside their own transaction, which has rolled back; the viewset then runs the same request
# again and answers with the envelope. A database error out of a service may have committed
# (a lost answer to COMMIT): it gets the viewset's 503 here, never a second attempt.

_TIMER_ACTIONS = {
    "start": services.task_start,
    "pause": services.task_pause,
    "complete": services.task_complete,
    "reopen": services.task_reopen,
}
_ACTION_ALLOW = "POST, OPTIONS"


def fast_timer_action(request, pk: str, action: str):
    """TaskViewSet's `start`/`pause`/`complete`/`reopen` response, or None for the viewset."""
    # Only POSTs reach it (config/wsgi.py routes it by method).
    if not _viewset_checks_unchanged():
        return None
    if request.META.get("HTTP_ACCEPT", "") not in _FAST_ACCEPT:
        return None
    try:
        authenticated = JWTAuthentication().authenticate(request)
    except APIException:
        return None
    if authenticated is None:
        return None
    user = authenticated[0]
    if not _throttle_allows(user):
        return None
    try:
        task = _TIMER_ACTIONS[action](
            user=user, task=selectors.task_ref(user=user, task_id=pk), source=SOURCE
        )
    except (APIException, DomainError):
        return None  # rolled back: the viewset answers the 404 or 409
    except DATABASE_ERRORS as exc:
        database_log.failed(exc)
        return service_unavailable_response()
    response = HttpResponse(dumps(TaskSerializer(task).data), content_type="application/json")
    response["Allow"] = _ACTION_ALLOW
    return response
