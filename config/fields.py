"""Serializer pieces for timestamps and dates given by people, shared by the apps that take
them (goals' progress, check-ins) without those apps importing each other, and the output
format of date-times for hand-written representations."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Clocks on phones drift: a timestamp this far ahead of ours is still "now".
CLOCK_SKEW = timedelta(seconds=60)
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def iso_datetime(value: datetime | None, tz=None) -> str | None:
    """A date-time as DRF's DateTimeField writes it (ISO 8601 in the current timezone, "Z" for
    UTC), for serializers that build hot responses by hand. `tz` is the current timezone, for
    callers that render many rows and look it up once."""
    if not value:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: date | str | None) -> str | None:
    """A date as DRF's DateField writes it."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def validate_calendar_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise serializers.ValidationError(_("Use a date between 1970 and 2999."))
    return value


def validate_past_instant(value: datetime) -> datetime:
    """Not in the future (beyond clock skew) and not before 1970."""
    if value > timezone.now() + CLOCK_SKEW:
        raise serializers.ValidationError(_("This time cannot be in the future."))
    if value < EARLIEST_INSTANT:
        raise serializers.ValidationError(_("This time is too far in the past."))
    return value


class UserLocalDateTimeField(serializers.DateTimeField):
    """ISO 8601 in, UTC out. A timestamp without an offset means the acting user's local time
    (`context["user"].timezone`), not the server's."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            user = self.context.get("user")
            if user is not None:
                try:
                    value = timezone.make_aware(value, user.tz)
                except (OverflowError, ValueError):
                    self.fail("invalid", format="ISO 8601")
        return super().enforce_timezone(value)


def query_params(request) -> dict:
    """The query string with empty values dropped: `?from=&to=` means "not given"."""
    return {key: value for key, value in request.query_params.items() if value != ""}


class LocalDateRangeSerializer(serializers.Serializer):
    """`from` / `to` query parameters: inclusive local dates (YYYY-MM-DD), `to` not before
    `from` (check-ins, summaries)."""

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, validators=[validate_calendar_date], help_text="Local date, inclusive."
        )
        fields["to"] = serializers.DateField(
            required=False, validators=[validate_calendar_date], help_text="Local date, inclusive."
        )
        return fields

    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        if first and last and last < first:
            raise serializers.ValidationError({"to": [_("“to” cannot be before “from”.")]})
        return attrs
