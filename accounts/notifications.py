"""Deciding whether a person gets a notification, and writing it down.

`notification_create()` is the one place where quiet hours, the daily cap, the kinds a person
turned off and "at most once per key" are applied; the jobs in `notifications/tasks.py` call
it and then `accounts.push.push_send_pending()` to deliver. The texts are here too, in the
person's language (gettext; Spanish in `accounts/locale/es`).
"""

import uuid
from datetime import datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, PushMessage, User
from accounts.push import PushCounts, push_send_pending

KINDS_WITH_PREFERENCE = (
    "checkin_reminder",
    "summary_ready",
    "stale_timer",
    "weekly_review",
    "goal_behind_pace",
)
# Counted against PUSH_MAX_PER_DAY: what reached, or is about to reach, the person.
_COUNTED = (Notification.Status.PENDING, Notification.Status.SENT, Notification.Status.LOGGED)


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(preferences: dict, local_time: time) -> bool:
    """Quiet hours may cross midnight (22:00-07:00); start == end means none."""
    quiet = (preferences or {}).get("quiet_hours")
    if not quiet:
        return False
    start, end = parse_hhmm(quiet["start"]), parse_hhmm(quiet["end"])
    moment = local_time.replace(second=0, microsecond=0, tzinfo=None)
    if start < end:
        return start <= moment < end
    if start > end:
        return moment >= start or moment < end
    return False


def kind_enabled(preferences: dict, kind: str) -> bool:
    """Every kind is on unless `preferences.notifications.<kind>` is false."""
    return bool(((preferences or {}).get("notifications") or {}).get(kind, True))


def notification_create(
    *,
    user: User,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str,
    data: dict,
    now: datetime | None = None,
    record_skips: bool = True,
    category: str = "",
) -> tuple[str, Notification | None]:
    """Write the notification and one pending message per device; answer what happened
    ("queued", "duplicate", "disabled", "no_devices", "quiet_hours" or "daily_cap") and the
    notification written, if any.

    A skip for quiet hours or the cap is recorded (it uses up the key: that reminder's moment
    is gone) unless `record_skips` is false, which leaves the key for a later run (the stale
    timer nudge comes once quiet hours end if the timer still runs). `category` is Expo's
    `categoryId` (the buttons under the notification; docs/push.md). Test pushes
    (`kind="test"`) ignore preferences, quiet hours and the cap: an operator asked for them.
    """
    now = now or timezone.now()
    local = now.astimezone(user.tz)
    is_test = kind == Notification.Kind.TEST
    if not is_test and not kind_enabled(user.preferences, kind):
        return "disabled", None
    try:
        with transaction.atomic():
            # The user's row is the lock for "count today's notifications, then add one": two
            # jobs notifying the same person at once cannot both slip under the cap.
            locked = User.objects.select_for_update().get(pk=user.pk)
            existing = Notification.objects.filter(user=locked, kind=kind, dedupe_key=dedupe_key)
            if existing.exists():
                return "duplicate", None
            devices = list(locked.devices.all())
            if not devices:
                return "no_devices", None
            status, outcome = Notification.Status.PENDING, "queued"
            if not is_test and in_quiet_hours(locked.preferences, local.time()):
                status, outcome = Notification.Status.SKIPPED_QUIET_HOURS, "quiet_hours"
            elif not is_test and _sent_today(locked, local.date()) >= settings.PUSH_MAX_PER_DAY:
                status, outcome = Notification.Status.SKIPPED_DAILY_CAP, "daily_cap"
            if outcome != "queued" and not record_skips:
                return outcome, None
            notification = Notification.objects.create(
                user=locked,
                kind=kind,
                dedupe_key=dedupe_key[:200],
                local_date=local.date(),
                status=status,
                title=title[:200],
                body=body[:500],
                data=data,
                category=category,
                created_at=now,
            )
            if outcome == "queued":
                PushMessage.objects.bulk_create(
                    PushMessage(notification=notification, device=d, token=d.expo_push_token)
                    for d in devices
                )
            return outcome, notification
    except IntegrityError:  # the same key written concurrently by another run: it won
        return "duplicate", None


def _sent_today(user: User, day) -> int:
    return (
        Notification.objects.filter(user=user, local_date=day, status__in=_COUNTED)
        .exclude(kind=Notification.Kind.TEST)
        .count()
    )


def count_outcome(counts: PushCounts, outcome: str) -> None:
    if outcome == "quiet_hours":
        counts.skipped_quiet_hours += 1
    elif outcome == "daily_cap":
        counts.skipped_daily_cap += 1
    elif outcome == "disabled":
        counts.skipped_disabled += 1


# --- The texts, in the person's language -----------------------------------------------------


def checkin_reminder_text(language: str) -> tuple[str, str]:
    with translation.override(language):
        return _("How are you doing?"), _("Time for your check-in: note your mood and energy.")


def summary_ready_text(language: str) -> tuple[str, str]:
    with translation.override(language):
        return _("Your summary is ready"), _("See how your day went.")


def weekly_review_text(language: str) -> tuple[str, str]:
    with translation.override(language):
        return _("Your weekly review is ready"), _("See what moved this week, and what stalled.")


def duration_text(minutes: int) -> str:
    """ "3 h 05 min", "46 min", in the active language."""
    hours, mins = divmod(minutes, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": mins}
    return _("%(m)d min") % {"m": mins}


def stale_timer_title(language: str, *, task_title: str) -> str:
    with translation.override(language):
        return _("Still on “%(title)s”?") % {"title": task_title[:120]}


def test_push_text(language: str) -> tuple[str, str]:
    with translation.override(language):
        return _("Test notification"), _("Notifications reach this device.")


def send_test_push(*, user: User) -> tuple[str, PushCounts]:
    """Send a test notification to every device of `user` now (admin action, command)."""
    title, body = test_push_text(user.language)
    outcome, notification = notification_create(
        user=user,
        kind=Notification.Kind.TEST,
        dedupe_key=f"test:{uuid.uuid4()}",
        title=title,
        body=body,
        data={"type": "test", "screen": "home"},
    )
    counts = PushCounts()
    if notification is not None:
        counts = push_send_pending(notification_ids=[notification.id])
    return outcome, counts
