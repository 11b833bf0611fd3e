from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.viewsets import UserScopedViewSet
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
class GoalViewSet(UserScopedViewSet):
    serializer_class = GoalSerializer
    queryset = Goal.objects.none()  # the model, for the schema; selectors scope

    def get_object(self):
        return selectors.goal_get(user=self.request.user, goal_id=self.kwargs["pk"])

    def list(self, request):
        query = self.validated_query(GoalListQuerySerializer)
        return self.paginated(selectors.goal_list(user=request.user, **query), GoalSerializer)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def destroy(self, request, pk=None):
        services.goal_delete(user=request.user, goal=self.get_object(), source=SOURCE)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Create a goal", request=GoalCreateSerializer, responses={201: GoalSerializer}
    )
    def create(self, request):
        data = self.validated(GoalCreateSerializer, request.data)
        goal = services.goal_create(user=request.user, source=SOURCE, **data)
        return Response(self.get_serializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change or archive a goal",
        request=GoalUpdateSerializer,
        responses={200: GoalSerializer, 409: ARCHIVED},
    )
    def partial_update(self, request, pk=None):
        goal = self.get_object()
        data = self.validated(GoalUpdateSerializer, request.data, instance=goal)
        goal = services.goal_update(user=request.user, goal=goal, source=SOURCE, **data)
        return Response(self.get_serializer(goal).data)

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
        if request.method == "GET":
            goal = self.get_object()
            return self.paginated(selectors.goal_progress_list(goal=goal), GoalProgressSerializer)
        # The service locks and reads the goal itself (a missing or another user's goal is
        # its 404): reading it here first would be one more query for nothing.
        goal = selectors.goal_ref(user=request.user, goal_id=pk)
        data = self.validated_for(self.get_object, GoalProgressCreateSerializer, request.data)
        progress = services.goal_log_progress(user=request.user, goal=goal, source=SOURCE, **data)
        context = {**self.get_serializer_context(), "stats": {goal.pk: progress.goal_stats}}
        body = {
            "progress": GoalProgressSerializer(progress).data,
            "goal": GoalSerializer(progress.goal, context=context).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)
