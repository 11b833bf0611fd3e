"""Input fields of tasks shared with the apps that point at them (goals take a category)."""

import re
from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.localtime import latest_wall_clock_instant
from tasks.errors import UNKNOWN_CATEGORY
from tasks.models import Category
from tasks.selectors import category_list


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a timezone offset (or Z); a naive date-time is a field error rather than
    being read silently as UTC."""

    default_error_messages = {
        "naive": _("Include a timezone offset, e.g. 2026-03-01T09:00:00+01:00."),
    }

    def to_internal_value(self, value):
        if isinstance(value, datetime):
            if timezone.is_naive(value):
                self.fail("naive")
        elif isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip()) if len(value) <= 64 else None
            except ValueError:
                # Well-formed but impossible ("T25:00", "+99:99", year 0): DRF's own parsing
                # below reports it as an invalid date-time.
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)


# "18:10", "8:05", "at 18:10", "a las 18:10": a time of day on the person's own clock.
_CLOCK_TIME = re.compile(r"^(?:at\s+|a\s+las?\s+)?([01]?\d|2[0-3])[:.h]([0-5]\d)$", re.IGNORECASE)


def parse_clock_time(value: str) -> time | None:
    """The time of day in "18:10" (or "18.10", "18h10", "at 18:10", "a las 18:10"), or None."""
    match = _CLOCK_TIME.match(value.strip())
    return time(int(match[1]), int(match[2])) if match else None


class PastMomentField(AwareDateTimeField):
    """A moment that has passed: ISO 8601 with an offset, or a time of day on the person's
    clock ("18:10", "at 18:10", "a las 18:10"), read as the latest such moment that is not
    in the future in their time zone (`context["user"]`): "18:10" said at 02:00 is
    yesterday's. Whether the moment fits (not in the future, after a start) is the service's
    rule."""

    default_error_messages = {
        "invalid": _(
            "Use an ISO 8601 date-time with its offset (2026-03-01T18:10:00+01:00) or a time "
            "of day such as 18:10."
        ),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            at = parse_clock_time(value)
            user = self.context.get("user")
            if at is not None and user is not None:
                return latest_wall_clock_instant(at, user.tz, timezone.now())
        return super().to_internal_value(value)


class OwnedCategoryField(serializers.PrimaryKeyRelatedField):
    """A category id of the acting user (context["user"]); anything else is "unknown", the
    same answer for a missing id, a malformed one and another user's. Tasks and goals take
    their `category` with it.

    `checked_by_service=True` (the write serializers): the id is only parsed, into an unsaved
    reference to the user's category, because the service reads the category under the
    user's lock anyway (a write must check it there: it may be deleted in between). Reading it
    here too was one more query per write for nothing."""

    default_error_messages = {
        "does_not_exist": UNKNOWN_CATEGORY,
        "incorrect_type": UNKNOWN_CATEGORY,
    }

    def __init__(self, *, checked_by_service: bool = False, **kwargs):
        kwargs.setdefault("pk_field", serializers.UUIDField())
        self.checked_by_service = checked_by_service
        super().__init__(**kwargs)

    def get_queryset(self):
        user = self.context.get("user")
        return Category.objects.none() if user is None else category_list(user=user)

    def to_internal_value(self, data):
        user = self.context.get("user")
        if self.checked_by_service and user is not None:
            try:
                return Category(pk=self.pk_field.to_internal_value(data), user_id=user.pk)
            except serializers.ValidationError:
                self.fail("does_not_exist")
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            # The UUID field's own message would differ for malformed and unknown ids.
            self.fail("does_not_exist")
