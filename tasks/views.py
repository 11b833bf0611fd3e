"""Thin viewsets: validate with a serializer, call one service or selector, serialize."""

import functools
import math
from datetime import date
from types import SimpleNamespace

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.pagination import _positive_int
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.authentication import JWTAuthentication, check_session
from config.pagination import PageNumberPagination
from config.renderers import dumps, dumps_native
from config.viewsets import UserScopedViewSet
from tasks import selectors, services
from tasks.models import Category, Task
from tasks.realtime import task_row_data
from tasks.selectors import session_page
from tasks.serializers import (
    CategorySerializer,
    CurrentTaskSerializer,
    TaskCreateSerializer,
    TaskEventSerializer,
    TaskListQuerySerializer,
    TaskSerializer,
    TaskUpdateSerializer,
    TimeEntryResultSerializer,
    TimeEntrySerializer,
    TimeReportQuerySerializer,
    TimeReportSerializer,
)

SOURCE = "api"

# The query parameters TaskListQuerySerializer reads; a request with none skips it.
_LIST_FILTERS = frozenset(TaskListQuerySerializer().fields)

_409 = {"409": OpenApiResponse(description="Conflict with the task's state (see `error.code`).")}


@extend_schema_view(
    list=extend_schema(parameters=[TaskListQuerySerializer], summary="List your tasks"),
    retrieve=extend_schema(summary="A task"),
    destroy=extend_schema(summary="Delete a task and its event log"),
)
class TaskViewSet(UserScopedViewSet):
    queryset = Task.objects.none()
    serializer_class = TaskSerializer

    def get_queryset(self):
        return selectors.task_list(user=self.request.user)

    def throttle_weight(self, request) -> int:
        """The time report costs one unit of the user's rate per THROTTLE_WEIGHTS
        ["report_days_per_unit"] days it spans (config/throttling.py); the rest costs 1."""
        if self.action != "report":
            return 1
        try:
            start = date.fromisoformat(request.query_params.get("from", ""))
            end = date.fromisoformat(request.query_params.get("to", ""))
        except ValueError:
            return 1  # refused by the serializer anyway
        days = min(max((end - start).days + 1, 1), selectors.REPORT_MAX_DAYS)
        return math.ceil(days / settings.THROTTLE_WEIGHTS["report_days_per_unit"])

    def get_object(self) -> Task:
        return selectors.task_get(user=self.request.user, task_id=self.kwargs["pk"])

    def _task_response(self, task: Task, status_code=status.HTTP_200_OK) -> Response:
        return Response(TaskSerializer(task).data, status=status_code)

    def list(self, request):
        filters = {}
        if _LIST_FILTERS.intersection(request.query_params):
            filters = self.validated_query(TaskListQuerySerializer)
        category = filters.pop("category", None)
        tasks = selectors.TaskRows(user=request.user, category_id=category, **filters)
        return self.paginated(tasks, TaskSerializer)

    @extend_schema(request=TaskCreateSerializer, responses={201: TaskSerializer})
    def create(self, request):
        data = self.validated(TaskCreateSerializer, request.data)
        task = services.task_create(user=request.user, source=SOURCE, **data)
        return self._task_response(task, status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        task = selectors.task_row(user=request.user, task_id=pk)
        return Response(TaskSerializer(task).data)

    def _task_ref(self) -> Task:
        # The timer services lock and read the task themselves; fetching it here first would
        # be one more query for nothing.
        return selectors.task_ref(user=self.request.user, task_id=self.kwargs["pk"])

    @extend_schema(request=TaskUpdateSerializer, responses={200: TaskSerializer})
    def partial_update(self, request, pk=None):
        task = self.get_object()
        data = self.validated(TaskUpdateSerializer, request.data, partial=True)
        task = services.task_update(user=request.user, task=task, source=SOURCE, **data)
        return self._task_response(task)

    def destroy(self, request, pk=None):
        services.task_delete(user=request.user, task=self._task_ref(), source=SOURCE)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: TaskSerializer, **_409},
        summary="Start the timer (pauses your running task; no-op if already running)",
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        task = services.task_start(user=request.user, task=self._task_ref(), source=SOURCE)
        return self._task_response(task)

    @extend_schema(request=None, responses={200: TaskSerializer, **_409}, summary="Pause")
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        task = services.task_pause(user=request.user, task=self._task_ref(), source=SOURCE)
        return self._task_response(task)

    @extend_schema(request=None, responses={200: TaskSerializer, **_409}, summary="Complete")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = services.task_complete(user=request.user, task=self._task_ref(), source=SOURCE)
        return self._task_response(task)

    @extend_schema(request=None, responses={200: TaskSerializer, **_409}, summary="Reopen")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        task = services.task_reopen(user=request.user, task=self._task_ref(), source=SOURCE)
        return self._task_response(task)

    @extend_schema(responses={200: TaskEventSerializer(many=True)}, summary="The task's log")
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        events = selectors.task_event_list(user=request.user, task=self.get_object())
        return self.paginated(events, TaskEventSerializer)

    @extend_schema(
        request=TimeEntrySerializer,
        responses={201: TimeEntryResultSerializer, **_409},
        summary="Log a finished stretch of work",
    )
    @action(detail=True, methods=["post"], url_path="time-entries")
    def time_entries(self, request, pk=None):
        task = self.get_object()
        data = self.validated(TimeEntrySerializer, request.data)
        event = services.task_log_time(user=request.user, task=task, source=SOURCE, **data)
        task = selectors.task_get(user=request.user, task_id=task.pk)
        body = {"task": TaskSerializer(task).data, "event": TaskEventSerializer(event).data}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: CurrentTaskSerializer}, summary="Your running task, or null")
    @action(detail=False, methods=["get"])
    def current(self, request):
        task = selectors.running_task(user=request.user)
        return Response({"task": TaskSerializer(task).data if task else None})

    @extend_schema(
        parameters=[TimeReportQuerySerializer],
        responses={200: TimeReportSerializer},
        summary="Seconds tracked per local day and per category",
    )
    @action(detail=False, methods=["get"])
    def report(self, request):
        query = self.validated_query(TimeReportQuerySerializer)
        report = selectors.time_report(
            user=request.user, date_from=query["from"], date_to=query["to"]
        )
        return Response(TimeReportSerializer(report).data)


@extend_schema_view(
    list=extend_schema(summary="List your categories"),
    destroy=extend_schema(summary="Delete a category (its tasks become uncategorised)"),
)
class CategoryViewSet(UserScopedViewSet):
    queryset = Category.objects.none()
    serializer_class = CategorySerializer

    def get_queryset(self):
        return selectors.category_list(user=self.request.user)

    def get_object(self) -> Category:
        return selectors.category_get(user=self.request.user, category_id=self.kwargs["pk"])

    def list(self, request):
        return self.paginated(self.get_queryset(), CategorySerializer)

    @extend_schema(responses={201: CategorySerializer})
    def create(self, request):
        data = self.validated(CategorySerializer, request.data)
        category = services.category_create(user=request.user, **data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(CategorySerializer(self.get_object()).data)

    def update(self, request, pk=None):
        category = self.get_object()
        data = self.validated(CategorySerializer, request.data)
        category = services.category_update(user=request.user, category=category, **data)
        return Response(CategorySerializer(category).data)

    def partial_update(self, request, pk=None):
        category = self.get_object()
        data = self.validated(CategorySerializer, request.data, partial=True)
        category = services.category_update(user=request.user, category=category, **data)
        return Response(CategorySerializer(category).data)

    def destroy(self, request, pk=None):
        services.category_delete(user=request.user, category=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the unfiltered task list without DRF's dispatch ------------------------------------------
# Every client opens with GET /api/v1/tasks, and DRF's request wrapping, negotiation, pagination
# objects and response rendering cost about as much CPU as the work itself (bench/RESULTS.md).
# The plain case (a bearer token, at most `page`/`page_size`, JSON accepted) is answered here
# with the same authentication, throttle, selector, serializer, renderer and links; anything
# else (errors of any kind, a filter, `page=last`, another Accept, a 429) goes to
# TaskViewSet.list unchanged, so every error keeps DRF's envelope. `test_task_list_fast_path`
# holds the two answers equal.

_FAST_LIST_PARAMS = frozenset({"page", "page_size"})
_FAST_LIST_ACCEPT = frozenset({"", "*/*", "application/json"})


@functools.cache
def _fast_list_applies() -> bool:
    # The fast path runs the viewset's authentication and paginator rules itself: it steps
    # aside if the viewset's checks ever change (a throttle, a permission, another
    # authentication, paginator or renderer).
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
    if not _fast_list_applies():
        return None
    if request.method != "GET" or not _FAST_LIST_PARAMS.issuperset(request.GET):
        return None
    if request.META.get("HTTP_ACCEPT", "") not in _FAST_LIST_ACCEPT:
        return None
    number, size = _page_number(request), _page_size(request)
    claims = JWTAuthentication().token_claims(request) if number is not None else None
    if claims is None:
        return None
    user_id, generation = claims
    session, rows, total = session_page.task_page_with_session(
        user_id=user_id, offset=(number - 1) * size, limit=size
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
    translation.activate(session.language)
    request.LANGUAGE_CODE = translation.get_language()
    # The viewset's throttle, as DRF runs it after authentication (a list costs 1 unit).
    # Refused: DRF answers the 429 (and checks again, the refused unit having been given back).
    user = SimpleNamespace(pk=user_id, is_authenticated=True)
    if not TaskViewSet.throttle_classes[0]().allow_request(SimpleNamespace(user=user), None):
        return None
    response = HttpResponse(_page_body(request, rows, total, number, size), "application/json")
    response["Allow"] = _LIST_ALLOW
    return response


def _page_number(request) -> int | None:
    # Django's paginator takes int(page); anything else here (`last`, a bad number) is DRF's.
    page = request.GET.get(PageNumberPagination.page_query_param, "1")
    return int(page) if page.isascii() and page.isdigit() and int(page) >= 1 else None


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
