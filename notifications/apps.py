from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Push notification jobs (no models: devices and the notification log live in accounts).

    It sits at the top, above chat: it reads tasks and goals (running timers, goals behind
    pace), has chat open the conversation each nudge asks in (chat/nudges.py), and listens to
    summaries (`summaries.signals.summary_ready`, sent after the scheduled job stores a
    summary) and planning (`planning.signals.review_ready`, after a weekly review); nothing
    imports it (docs/architecture.md)."""

    name = "notifications"

    def ready(self) -> None:
        from notifications.receivers import review_ready_push, summary_ready_push
        from planning.signals import review_ready
        from summaries.signals import summary_ready

        summary_ready.connect(summary_ready_push, dispatch_uid="notifications.summary_ready_push")
        review_ready.connect(review_ready_push, dispatch_uid="notifications.review_ready_push")
