"""Daily summaries in and out. Input serializers read the acting user from `context["user"]`."""

import datetime
import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.fields import LocalDateRangeSerializer, validate_calendar_date
from summaries.models import DailySummary
from summaries.realtime import summary_data

# strptime's %m and %d also take one digit; a path's date is exactly YYYY-MM-DD.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class DailySummarySerializer(serializers.ModelSerializer):
    stats = serializers.JSONField(
        read_only=True,
        help_text="The day's figures and the 7 days before as a baseline (docs/summaries.md).",
    )
    source = serializers.CharField(
        read_only=True, help_text="What made it: schedule, request, assistant or admin."
    )
    model = serializers.CharField(
        read_only=True, allow_null=True, help_text="The model that wrote the text; null: template."
    )

    class Meta:
        model = DailySummary
        fields = [
            "id",
            "date",
            "text",
            "language",
            "stats",
            "model",
            "prompt_tokens",
            "completion_tokens",
            "source",
            "generated_at",
        ]
        read_only_fields = fields

    def to_representation(self, summary: DailySummary) -> dict:
        return summary_data(summary)


class SummaryRequestSerializer(serializers.Serializer):
    """`POST /summaries/{date}/generate`: what was queued (services.SummaryRequest)."""

    date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=["queued", "already_queued"],
        help_text="queued: a job was queued now; already_queued: one for that day was still "
        "waiting for the worker, nothing more was queued.",
    )
    replaces = serializers.BooleanField(
        help_text="Whether the day has a stored summary, which the job replaces (same id)."
    )


class LiveSummarySerializer(serializers.Serializer):
    """`GET /summaries/{date}?live=1`: that day's figures computed now, nothing stored."""

    date = serializers.DateField()
    live = serializers.BooleanField(help_text="Always true: computed now, not stored.")
    stats = serializers.JSONField()


class SummaryListQuerySerializer(LocalDateRangeSerializer):
    pass


class SummaryDayQuerySerializer(serializers.Serializer):
    """The assistant's `get_summary` argument: an ISO date, not after the user's local today."""

    date = serializers.DateField(required=False, input_formats=["iso-8601"])

    def validate_date(self, value: datetime.date) -> datetime.date:
        if value > self.context["user"].local_now().date():
            raise serializers.ValidationError(_("The date cannot be in the future."))
        return value


def validate_summary_day(value: str, *, user):
    """A path's YYYY-MM-DD: a real calendar date, not after the user's local today."""
    field = serializers.DateField(input_formats=["%Y-%m-%d"], validators=[validate_calendar_date])
    try:
        if not _DAY.fullmatch(value or ""):
            field.fail("invalid", format="YYYY-MM-DD")
        day = field.run_validation(value)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"date": exc.detail}) from exc
    if day > user.local_now().date():
        raise serializers.ValidationError({"date": [_("The date cannot be in the future.")]})
    return day
