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
    GoalPauseCreateSerializer,
    GoalPausedSerializer,
    GoalPauseSerializer,
    GoalProgressCreateSerializer,
    GoalProgressLoggedSerializer,
    GoalProgressSerializer,
    GoalSerializer,
    GoalUpdateSerializer,
)

SOURCE = "api"


ARCHIVED = OpenApiResponse(description="goal_archived: the goal is archived.")
PAUSE_CONFLICT = OpenApiResponse(
    description="goal_archived: the goal is archived; goal_not_periodic: a goal without a "
    "period has nothing to pause; goal_pause_overlap: another pause of the goal shares a day."
)
PAUSE_END_CONFLICT = OpenApiResponse(
    description="goal_archived: the goal is archived; goal_pause_over: the pause already ended."
)
PAUSE_ID = OpenApiParameter("pause_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


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
        # A new goal has no progress: its statistics need no query.
        stats = {goal.pk: selectors.new_goal_stats(goal, user=request.user)}
        context = {**self.get_serializer_context(), "stats": stats}
        return Response(GoalSerializer(goal, context=context).data, status=status.HTTP_201_CREATED)

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

    def _paused(self, pause, goal) -> dict:
        return {
            "pause": None if pause is None else GoalPauseSerializer(pause).data,
            "goal": self.get_serializer(
                selectors.goal_get(user=self.request.user, goal_id=goal.pk)
            ).data,
        }

    @extend_schema(
        summary="Pause a periodic goal (illness, travel, rest)",
        description="The paused local days neither break the streak nor count against their "
        "period; a period paused in part asks its share of the target (docs/goals.md).",
        request=GoalPauseCreateSerializer,
        responses={201: GoalPausedSerializer, 409: PAUSE_CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="pause")
    def pause(self, request, pk=None):
        goal = self.get_object()
        data = self.validated(GoalPauseCreateSerializer, request.data)
        pause = services.goal_pause(user=request.user, goal=goal, source=SOURCE, **data)
        return Response(self._paused(pause, goal), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="List a goal's pauses, latest first",
        responses={200: GoalPauseSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="pauses")
    def pauses(self, request, pk=None):
        goal = self.get_object()
        return self.paginated(selectors.goal_pause_list(goal=goal), GoalPauseSerializer)

    @extend_schema(
        summary="End a pause early",
        description="A pause under way ends yesterday (today counts again); one that has not "
        "begun, or begins today, is removed (`pause` is null). A pause already over is 409.",
        parameters=[PAUSE_ID],
        request=None,
        responses={200: GoalPausedSerializer, 409: PAUSE_END_CONFLICT},
    )
    @action(detail=True, methods=["delete"], url_path=r"pauses/(?P<pause_id>[^/]+)")
    def end_pause(self, request, pk=None, pause_id=None):
        goal = self.get_object()
        pause = selectors.goal_pause_get(goal=goal, pause_id=pause_id)
        pause = services.goal_pause_end(user=request.user, pause=pause, source=SOURCE)
        return Response(self._paused(pause, goal))
