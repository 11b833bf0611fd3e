from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.throttling import UserRateThrottle, UserThrottle
from config.viewsets import UserScopedViewSet
from summaries import selectors, services
from summaries.models import DailySummary
from summaries.serializers import (
    DailySummarySerializer,
    LiveSummarySerializer,
    SummaryListQuerySerializer,
    SummaryRequestSerializer,
    validate_summary_day,
)

SOURCE = "request"

DATE = OpenApiParameter(
    "date",
    OpenApiTypes.DATE,
    OpenApiParameter.PATH,
    description="A local day of yours (YYYY-MM-DD), not after your today.",
)
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD), inclusive.")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive.")
LIVE = OpenApiParameter(
    "live",
    OpenApiTypes.BOOL,
    description="1: compute that day's figures now instead of reading the stored summary "
    "(nothing is stored).",
)


class LiveQuerySerializer(serializers.Serializer):
    live = serializers.BooleanField(required=False, default=False)


class SummaryViewSet(UserScopedViewSet):
    """Daily summaries: one per local day, written by the schedule or on request."""

    serializer_class = DailySummarySerializer
    queryset = DailySummary.objects.none()  # the model, for the schema; selectors scope
    lookup_field = "date"
    # Anything up to the next slash reaches the view, so a malformed date is a 400, not a 404.
    lookup_value_regex = "[^/]+"
    # Used by the throttle on `generate` only (THROTTLE_RATES["summary_generate_user"]).
    throttle_scope = "summary_generate"

    @extend_schema(summary="Your daily summaries, newest day first", parameters=[FROM, TO])
    def list(self, request):
        query = self.validated_query(SummaryListQuerySerializer)
        summaries = selectors.summary_list(
            user=request.user, date_from=query.get("from"), date_to=query.get("to")
        )
        return self.paginated(summaries, DailySummarySerializer)

    @extend_schema(
        summary="One day's summary",
        description="404 `not_found` when none is stored for that day; with `live=1`, "
        "the day's figures computed now (nothing stored). A malformed or future date is 400.",
        parameters=[DATE, LIVE],
        responses={
            200: PolymorphicProxySerializer(
                component_name="SummaryOrLive",
                serializers=[DailySummarySerializer, LiveSummarySerializer],
                resource_type_field_name=None,
            )
        },
    )
    def retrieve(self, request, date=None):
        day = validate_summary_day(date, user=request.user)
        if self.validated_query(LiveQuerySerializer)["live"]:
            stats = selectors.day_stats(user=request.user, day=day)
            return Response(LiveSummarySerializer({"date": day, "live": True, "stats": stats}).data)
        summary = selectors.summary_get(user=request.user, day=day)
        return Response(DailySummarySerializer(summary).data)

    @extend_schema(
        summary="Ask for a day's summary to be written (or rewritten)",
        description="202 at once: the summary is written by the background worker, never "
        "inside this request (the model may take a minute). `status` is `queued`, or "
        "`already_queued` when a job for that day was still waiting for the worker (nothing "
        "more is queued); `replaces` says whether a stored summary of that day will be "
        "replaced (same id). When it is stored, your sockets get `summary.created` (or "
        "`summary.updated`) and `GET /api/v1/summaries/{date}` answers it. Uses the model "
        "when one is configured; if it fails, the template text is stored and the model is "
        "tried again later by the schedule. At most 30 an hour per user by default (429).",
        request=None,
        parameters=[DATE],
        responses={202: SummaryRequestSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="generate",
        throttle_classes=[UserThrottle, UserRateThrottle],
    )
    def generate(self, request, date=None):
        day = validate_summary_day(date, user=request.user)
        queued = services.summary_request(user=request.user, day=day, source=SOURCE)
        return Response(SummaryRequestSerializer(queued).data, status=status.HTTP_202_ACCEPTED)
