"""Thin viewsets: validate with a serializer, call one service or selector, serialize."""

import math
from datetime import date

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.viewsets import UserScopedViewSet
from tasks import selectors, services
from tasks.models import Category, Task
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
    TimerCorrectionSerializer,
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
        task = self._task_ref()  # the service locks and reads it
        data = self.validated_for(self.get_object, TaskUpdateSerializer, request.data, partial=True)
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

    @extend_schema(
        request=TimerCorrectionSerializer,
        responses={
            200: TimeEntryResultSerializer,
            400: OpenApiResponse(
                description="`validation_error` on `stopped_at`: not after the timer started, "
                "in the future, or not a date-time or a time of day."
            ),
            "409": OpenApiResponse(description="`task_not_running`: the timer is not running."),
        },
        summary="Stop a forgotten timer at the moment it really stopped",
        description="The running stretch closes at `stopped_at` instead of now, so only the "
        "time up to it is tracked; the task is paused and the log gets a `corrected` event "
        "with `{from, to}`.",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        task = self._task_ref()  # the service locks and reads it
        data = self.validated_for(self.get_object, TimerCorrectionSerializer, request.data)
        event = services.task_correct_timer(
            user=request.user, task=task, source=SOURCE, stopped_at=data["stopped_at"]
        )
        body = {"task": TaskSerializer(event.task).data, "event": TaskEventSerializer(event).data}
        return Response(body)

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
