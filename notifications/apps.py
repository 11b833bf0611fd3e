from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Push notification jobs (no models: devices and the notification log live in accounts).

    It sits above tasks (the stale-timer nudge reads running timers) and below summaries
    (which calls `notify_summary_ready` after storing a summary)."""

    name = "notifications"
