import math

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.fields import query_params
from insights import selectors
from insights.serializers import InsightsQuerySerializer, InsightsSerializer


class InsightsView(APIView):
    """Figures from the user's own data, each with its sample size (docs/insights.md)."""

    def throttle_weight(self, request) -> int:
        """Reads the time report over the range: costs what the report costs (one unit per
        THROTTLE_WEIGHTS["report_days_per_unit"] days, config/throttling.py)."""
        query = InsightsQuerySerializer(data=query_params(request), context={"user": request.user})
        if not query.is_valid():
            return 1  # refused by the view anyway
        days = (query.validated_data["to"] - query.validated_data["from"]).days + 1
        return math.ceil(days / settings.THROTTLE_WEIGHTS["report_days_per_unit"])

    @extend_schema(
        parameters=[InsightsQuerySerializer],
        responses={200: InsightsSerializer},
        summary="Mood against work, estimate accuracy and goals' pace",
        description="Over local days `from`..`to` (default: the last 28 days, today included; "
        "at most 366 days). Every figure has its sample size `n`; below its `minimum` its "
        "status is `insufficient_data` and its values are null. Goals' pace is as of now.",
    )
    def get(self, request):
        query = InsightsQuerySerializer(data=query_params(request), context={"user": request.user})
        query.is_valid(raise_exception=True)
        result = selectors.insights(
            user=request.user,
            date_from=query.validated_data["from"],
            date_to=query.validated_data["to"],
        )
        return Response(InsightsSerializer(result).data)
