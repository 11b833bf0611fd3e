"""The person's planning preferences, with their defaults (validated on the way in by
accounts.serializers.validate_preferences; a missing or `null` key means the default)."""

from datetime import time

from accounts.notifications import parse_hhmm

DEFAULT_WORKING_HOURS = (time(9, 0), time(17, 0))
# ISO weekday (1 = Monday ... 7 = Sunday) and local hour of the weekly review.
DEFAULT_REVIEW_WEEKDAY = 7
DEFAULT_REVIEW_HOUR = 18


def working_hours(user) -> tuple[time, time]:
    """`preferences.working_hours` as (start, end) local times, 09:00-17:00 by default."""
    hours = (user.preferences or {}).get("working_hours")
    if not hours:
        return DEFAULT_WORKING_HOURS
    return parse_hhmm(hours["start"]), parse_hhmm(hours["end"])


def review_moment(user) -> tuple[int, int]:
    """`preferences.weekly_review` as (ISO weekday, local hour), Sunday 18:00 by default."""
    moment = (user.preferences or {}).get("weekly_review")
    if not moment:
        return DEFAULT_REVIEW_WEEKDAY, DEFAULT_REVIEW_HOUR
    return moment["weekday"], moment["hour"]
