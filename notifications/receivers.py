"""What the notifications app does when another app announces something (Django signals).

Connected in `NotificationsConfig.ready()`: the announcing app never imports notifications,
which sits at the top beside chat (docs/architecture.md). The jobs module is imported when a
signal arrives, so connecting the receiver at start-up loads nothing more than before.
"""


def summary_ready_push(sender, *, user_id: str, summary_date: str, **kwargs) -> None:
    """`summaries.signals.summary_ready`: queue the "your summary is ready" push."""
    from notifications.tasks import notify_summary_ready

    notify_summary_ready.enqueue(user_id=user_id, summary_date=summary_date)


def review_ready_push(sender, *, user_id: str, review_id: str, week_start: str, **kwargs) -> None:
    """`planning.signals.review_ready`: queue the "your weekly review is ready" push."""
    from notifications.tasks import notify_weekly_review

    notify_weekly_review.enqueue(user_id=user_id, review_id=review_id, week_start=week_start)
