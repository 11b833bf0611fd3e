from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from config.viewsets import UserScopedViewSet
from planning import selectors, services
from planning.models import DayPlan, WeeklyReview
from planning.serializers import (
    DayPlanSerializer,
    PlanUpdateSerializer,
    WeeklyReviewSerializer,
    validate_plan_day,
    validate_today,
)

SOURCE = "api"

DAY = OpenApiParameter(
    "day",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="`today`, or a local day of yours (YYYY-MM-DD).",
)


class DayPlanViewSet(UserScopedViewSet):
    """Day plans: one per local day, built on request (docs/planning.md)."""

    serializer_class = DayPlanSerializer
    queryset = DayPlan.objects.none()  # the model, for the schema; selectors scope
    lookup_field = "day"
    # Anything up to the next slash reaches the view, so a malformed day is a 400, not a 404.
    lookup_value_regex = "[^/]+"

    @extend_schema(summary="Your day plans, newest day first")
    def list(self, request):
        return self.paginated(selectors.plan_list(user=request.user), DayPlanSerializer)

    @extend_schema(
        summary="A day's plan",
        description="404 `not_found` when no plan is stored for that day.",
        parameters=[DAY],
        responses={
            200: DayPlanSerializer,
            400: OpenApiResponse(description="validation_error: the day is not a real date."),
        },
    )
    def retrieve(self, request, day=None):
        the_day = validate_plan_day(day, user=request.user)
        return Response(DayPlanSerializer(selectors.plan_get(user=request.user, day=the_day)).data)

    @extend_schema(
        summary="Build today's plan (again)",
        description="Your open tasks, due today (and overdue) first, then what was left of your "
        "last plan, then by due date and priority; their estimates corrected by your own "
        "estimate factor and fitted into the minutes left of your working hours, 70% of them "
        "after a low-energy morning check-in. 201 when new, 200 when it replaced today's plan "
        "(changes made with PATCH are not kept). Only `today` (or today's date): another day "
        "is 400.",
        parameters=[DAY],
        request=None,
        responses={200: DayPlanSerializer, 201: DayPlanSerializer},
    )
    def build(self, request, day=None):
        validate_today(validate_plan_day(day, user=request.user), user=request.user)
        plan, created = services.plan_build(user=request.user, source=SOURCE)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DayPlanSerializer(plan).data, status=code)

    @extend_schema(
        summary="Reorder, drop or add tasks of today's plan",
        parameters=[DAY],
        request=PlanUpdateSerializer,
        responses={
            200: DayPlanSerializer,
            409: OpenApiResponse(description="plan_closed: only today's plan can change."),
        },
    )
    def partial_update(self, request, day=None):
        the_day = validate_plan_day(day, user=request.user)
        plan = selectors.plan_get(user=request.user, day=the_day)
        data = self.validated(PlanUpdateSerializer, request.data)
        plan = services.plan_update(user=request.user, plan=plan, source=SOURCE, **data)
        return Response(DayPlanSerializer(plan).data)


class WeeklyReviewViewSet(UserScopedViewSet):
    """Weekly reviews: one per ISO week, written by the schedule (docs/planning.md)."""

    serializer_class = WeeklyReviewSerializer
    queryset = WeeklyReview.objects.none()  # the model, for the schema; selectors scope

    @extend_schema(summary="Your weekly reviews, newest week first")
    def list(self, request):
        return self.paginated(selectors.review_list(user=request.user), WeeklyReviewSerializer)

    @extend_schema(summary="A weekly review")
    def retrieve(self, request, pk=None):
        review = selectors.review_get(user=request.user, review_id=pk)
        return Response(WeeklyReviewSerializer(review).data)
