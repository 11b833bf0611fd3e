from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
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
from config.viewsets import UserScopedViewSet

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
class CheckInViewSet(UserScopedViewSet):
    serializer_class = CheckInSerializer
    queryset = CheckIn.objects.none()  # the model, for the schema; selectors scope

    def get_object(self):
        return selectors.checkin_get(user=self.request.user, checkin_id=self.kwargs["pk"])

    def list(self, request):
        query = self.validated_query(CheckInListQuerySerializer)
        checkins = selectors.checkin_list(
            user=request.user,
            date_from=query.get("from"),
            date_to=query.get("to"),
            kind=query.get("kind"),
        )
        return self.paginated(checkins, CheckInSerializer)

    def retrieve(self, request, pk=None):
        return Response(CheckInSerializer(self.get_object()).data)

    def destroy(self, request, pk=None):
        services.checkin_delete(user=request.user, checkin=self.get_object(), source=SOURCE)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Record a check-in",
        request=CheckInCreateSerializer,
        responses={201: CheckInSerializer},
    )
    def create(self, request):
        data = self.validated(CheckInCreateSerializer, request.data)
        checkin = services.checkin_create(user=request.user, source=SOURCE, **data)
        return Response(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a check-in",
        request=CheckInUpdateSerializer,
        responses={200: CheckInSerializer},
    )
    def partial_update(self, request, pk=None):
        checkin = self.get_object()
        data = self.validated(CheckInUpdateSerializer, request.data)
        checkin = services.checkin_update(user=request.user, checkin=checkin, source=SOURCE, **data)
        return Response(CheckInSerializer(checkin).data)

    @extend_schema(
        summary="Per-day averages of mood and energy",
        description="Local days in the user's timezone, every day of the range listed. "
        "Defaults to the last 7 days; at most 366 days.",
        parameters=[FROM, TO, KIND],
        responses={200: CheckInStatsSerializer},
    )
    @action(detail=False, methods=["get"], url_path="stats", pagination_class=None)
    def stats(self, request):
        params = self.validated_query(CheckInStatsQuerySerializer)
        result = selectors.checkin_stats(
            user=request.user,
            date_from=params["from"],
            date_to=params["to"],
            kind=params.get("kind"),
        )
        return Response(CheckInStatsSerializer(result).data)
