from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.fields import query_params
from goals import selectors, services
from goals.models import Goal
from goals.serializers import (
    GoalCreateSerializer,
    GoalListQuerySerializer,
    GoalProgressCreateSerializer,
    GoalProgressLoggedSerializer,
    GoalProgressSerializer,
    GoalSerializer,
    GoalUpdateSerializer,
)

SOURCE = "api"


ARCHIVED = OpenApiResponse(description="goal_archived: the goal is archived.")


@extend_schema_view(
    list=extend_schema(
        summary="List goals",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Goal.Status.values)),
        ],
    ),
    retrieve=extend_schema(summary="Get a goal"),
    destroy=extend_schema(summary="Delete a goal and all its progress"),
)
class GoalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = GoalSerializer
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Goal.objects.none()  # the model, for the schema; get_queryset() scopes

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    def get_queryset(self):
        query = GoalListQuerySerializer(data=query_params(self.request))
        query.is_valid(raise_exception=True)
        return selectors.goal_list(user=self.request.user, **query.validated_data)

    def get_object(self):
        return selectors.goal_get(user=self.request.user, goal_id=self.kwargs["pk"])

    @extend_schema(
        summary="Create a goal", request=GoalCreateSerializer, responses={201: GoalSerializer}
    )
    def create(self, request):
        serializer = GoalCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        goal = services.goal_create(user=request.user, source=SOURCE, **serializer.validated_data)
        return Response(self.get_serializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change or archive a goal",
        request=GoalUpdateSerializer,
        responses={200: GoalSerializer, 409: ARCHIVED},
    )
    def partial_update(self, request, pk=None):
        goal = self.get_object()
        serializer = GoalUpdateSerializer(
            goal, data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        goal = services.goal_update(
            user=request.user, goal=goal, source=SOURCE, **serializer.validated_data
        )
        return Response(self.get_serializer(goal).data)

    def perform_destroy(self, instance):
        services.goal_delete(user=self.request.user, goal=instance, source=SOURCE)

    @extend_schema(
        methods=["GET"],
        summary="List a goal's progress, newest first",
        responses={200: GoalProgressSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Log progress on a goal",
        request=GoalProgressCreateSerializer,
        responses={201: GoalProgressLoggedSerializer, 409: ARCHIVED},
    )
    @action(detail=True, methods=["get", "post"], url_path="progress")
    def progress(self, request, pk=None):
        goal = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.goal_progress_list(goal=goal))
            return self.get_paginated_response(GoalProgressSerializer(page, many=True).data)
        serializer = GoalProgressCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        progress = services.goal_log_progress(
            user=request.user, goal=goal, source=SOURCE, **serializer.validated_data
        )
        body = {
            "progress": GoalProgressSerializer(progress).data,
            "goal": self.get_serializer(progress.goal).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)
