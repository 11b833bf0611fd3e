"""Push notifications: the phones people use the app on, and the notification log with one
message per device (accounts/notifications.py decides, accounts/push.py delivers)."""

import uuid

from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.users import User


class Device(models.Model):
    """A phone with the app installed, reachable through its Expo push token.

    A token names one app installation, so it is unique across users: registering it again
    moves it to whoever registered it last (the person now logged in on that phone).
    """

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="devices")
    expo_push_token = models.CharField(_("Expo push token"), max_length=255, unique=True)
    platform = models.CharField(_("platform"), max_length=8, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=dj_timezone.now, editable=False)
    last_registered_at = models.DateTimeField(_("last registered at"), default=dj_timezone.now)

    class Meta:
        db_table = "devices"
        ordering = ["-last_registered_at", "id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [models.Index(fields=["user", "-last_registered_at"], name="devices_user_idx")]

    def __str__(self) -> str:
        return self.name or self.expo_push_token


class Notification(models.Model):
    """One notification to one person: the log, the "already sent" marker and the daily cap.

    `(user, kind, dedupe_key)` is unique, so a reminder slot, a summary or a timer run is
    notified at most once however often (or however concurrently) the jobs run.
    """

    class Kind(models.TextChoices):
        CHECKIN_REMINDER = "checkin_reminder", _("Check-in reminder")
        SUMMARY_READY = "summary_ready", _("Summary ready")
        STALE_TIMER = "stale_timer", _("Stale timer")
        WEEKLY_REVIEW = "weekly_review", _("Weekly review")
        GOAL_BEHIND_PACE = "goal_behind_pace", _("Goal behind pace")
        TEST = "test", _("Test")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        LOGGED = "logged", _("Logged (push not configured)")
        FAILED = "failed", _("Failed")
        SKIPPED_QUIET_HOURS = "skipped_quiet_hours", _("Skipped: quiet hours")
        SKIPPED_DAILY_CAP = "skipped_daily_cap", _("Skipped: daily cap")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    local_date = models.DateField(_("local date"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("body"), max_length=500)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # Expo's `categoryId`: the buttons the phone shows under the notification, registered by
    # the app under this name (docs/push.md, "Answering from the notification").
    category = models.CharField(_("category"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=dj_timezone.now, editable=False)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "dedupe_key"], name="notifications_once_per_key"
            ),
        ]
        indexes = [models.Index(fields=["user", "local_date"], name="notifications_day_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.dedupe_key}"


class PushMessage(models.Model):
    """One notification to one device, through Expo: its ticket and, later, its receipt.

    `pending` rows are waiting to be sent (first try, or again after Expo answered 429/5xx);
    a sender claims them by moving them to `sending`, so no two workers send the same row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        OK = "ok", _("Accepted by Expo")
        ERROR = "error", _("Error")
        LOGGED = "logged", _("Logged (push not configured)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="messages"
    )
    # Kept when the device goes (DeviceNotRegistered): the row stays as the delivery record.
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    token = models.CharField(_("Expo push token"), max_length=255)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=dj_timezone.now)
    ticket_id = models.CharField(_("ticket id"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=100, blank=True)
    receipt_status = models.CharField(_("receipt status"), max_length=8, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "push_messages"
        ordering = ["-updated_at", "id"]
        verbose_name = _("push message")
        verbose_name_plural = _("push messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="push_messages_pending_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["sent_at"],
                name="push_messages_receipt_idx",
                condition=models.Q(status="ok", receipt_status=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} -> {self.token}"
