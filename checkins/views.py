from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from checkins import selectors, services
from checkins.models import CheckIn
from checkins.serializers import (
    CheckInCreateSerializer,
    CheckInListQuerySerializer,
    CheckInSerializer,
    CheckInStatsQuerySerializer,
    CheckInStatsSerializer,
    CheckInUpdateSerializer,
)
from config.fields import query_params

SOURCE = "api"


KIND = OpenApiParameter("kind", OpenApiTypes.STR, enum=list(CheckIn.Kind.values))
FROM = OpenApiParameter(
    "from", OpenApiTypes.DATE, description="First local day (YYYY-MM-DD), inclusive."
)
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Last local day, inclusive.")


@extend_schema_view(
    list=extend_schema(summary="List check-ins, newest first", parameters=[FROM, TO, KIND]),
    retrieve=extend_schema(summary="Get a check-in"),
    destroy=extend_schema(summary="Delete a check-in"),
)
class CheckInViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CheckInSerializer
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = CheckIn.objects.none()  # the model, for the schema; get_queryset() scopes

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    def get_queryset(self):
        query = CheckInListQuerySerializer(data=query_params(self.request))
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return selectors.checkin_list(
            user=self.request.user,
            date_from=params.get("from"),
            date_to=params.get("to"),
            kind=params.get("kind"),
        )

    def get_object(self):
        return selectors.checkin_get(user=self.request.user, checkin_id=self.kwargs["pk"])

    @extend_schema(
        summary="Record a check-in",
        request=CheckInCreateSerializer,
        responses={201: CheckInSerializer},
    )
    def create(self, request):
        serializer = CheckInCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        checkin = services.checkin_create(
            user=request.user, source=SOURCE, **serializer.validated_data
        )
        return Response(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a check-in",
        request=CheckInUpdateSerializer,
        responses={200: CheckInSerializer},
    )
    def partial_update(self, request, pk=None):
        checkin = self.get_object()
        serializer = CheckInUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        checkin = services.checkin_update(
            user=request.user, checkin=checkin, source=SOURCE, **serializer.validated_data
        )
        return Response(CheckInSerializer(checkin).data)

    def perform_destroy(self, instance):
        services.checkin_delete(user=self.request.user, checkin=instance, source=SOURCE)

    @extend_schema(
        summary="Per-day averages of mood and energy",
        description="Local days in the user's timezone, every day of the range listed. "
        "Defaults to the last 7 days; at most 366 days.",
        parameters=[FROM, TO, KIND],
        responses={200: CheckInStatsSerializer},
    )
    @action(detail=False, methods=["get"], url_path="stats", pagination_class=None)
    def stats(self, request):
        query = CheckInStatsQuerySerializer(
            data=query_params(request), context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        result = selectors.checkin_stats(
            user=request.user,
            date_from=params["from"],
            date_to=params["to"],
            kind=params.get("kind"),
        )
        return Response(CheckInStatsSerializer(result).data)
