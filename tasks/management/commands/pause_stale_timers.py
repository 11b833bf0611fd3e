"""Pause timers left running too long: `manage.py pause_stale_timers --older-than 10h`."""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from tasks.services import timers_pause_stale

_DURATION = re.compile(r"^\s*(?:(?P<hours>\d+)h)?\s*(?:(?P<minutes>\d+)m)?\s*$", re.IGNORECASE)


def parse_duration(value: str) -> timedelta:
    """ "10h", "90m" or "1h30m"; at least one minute, at most 30 days."""
    match = _DURATION.match(value or "")
    if not match or not (match["hours"] or match["minutes"]):
        raise ValueError(f"{value!r} is not a duration like 10h, 90m or 1h30m")
    duration = timedelta(hours=int(match["hours"] or 0), minutes=int(match["minutes"] or 0))
    if duration < timedelta(minutes=1):
        raise ValueError("the duration must be at least 1 minute")
    if duration > timedelta(days=30):
        raise ValueError("the duration must be at most 30 days (720h)")
    return duration


class Command(BaseCommand):
    help = (
        "Pause every timer that has been running longer than --older-than. The closed segment "
        "ends at the threshold (start + older-than) and is logged with source 'system'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            required=True,
            metavar="DURATION",
            help="How long a timer may run before it is paused: 10h, 90m or 1h30m.",
        )

    def handle(self, *args, older_than: str, **options):
        try:
            threshold = parse_duration(older_than)
        except ValueError as exc:
            raise CommandError(f"--older-than: {exc}") from exc
        paused = timers_pause_stale(older_than=threshold)
        self.stdout.write(f"Paused {paused} timer(s) running longer than {threshold}.")
