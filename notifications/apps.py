from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Push notification jobs (no models: devices and the notification log live in accounts).

    It sits at the top beside chat: it reads tasks (the stale-timer nudge reads running
    timers) and listens to summaries (`summaries.signals.summary_ready`, sent after the
    scheduled job stores a summary); nothing imports it (docs/architecture.md)."""

    name = "notifications"

    def ready(self) -> None:
        from notifications.receivers import summary_ready_push
        from summaries.signals import summary_ready

        summary_ready.connect(summary_ready_push, dispatch_uid="notifications.summary_ready_push")
