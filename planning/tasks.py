"""The weekly review's jobs (Django's `django.tasks`, scheduled by django-crontask, which loads
this module: how the jobs run is in summaries/tasks.py and docs/summaries.md).

`sweep_weekly_reviews` runs hourly (WEEKLY_REVIEWS_CRON, UTC) and queues `generate_weekly_review`
for every user whose local review moment has come and whose week has no review. Both are
idempotent: the sweep queues nothing for a reviewed week, and a job queued twice writes once
(it checks again; the (user, week) unique constraint settles a race).
"""

import logging
from datetime import date

from crontask import cron
from django.conf import settings
from django.tasks import TaskResultStatus, task

from accounts.models import User
from planning import services
from planning.signals import review_ready

logger = logging.getLogger(__name__)


@task
def generate_weekly_review(*, user_id: str, week_start: str, source: str = "schedule") -> str:
    """Write one user's review of the ISO week starting on `week_start` (ISO date). From the
    schedule a reviewed week is skipped; from the admin it is written again (same row).
    Returns generated, fallback (template after a model failure), skipped or gone."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        outcome = "gone"
    else:
        review, created = services.review_generate(
            user=user,
            week_start=date.fromisoformat(week_start),
            source=source,
            replace=source != "schedule",
        )
        if review is None:
            outcome = "skipped"
        else:
            outcome = "fallback" if review.llm_error else "generated"
            if created and source == "schedule":
                # The notifications app answers with "your weekly review is ready", once per
                # week whatever the retries (the notification's key is the week).
                review_ready.send(
                    sender=generate_weekly_review,
                    user_id=str(user.pk),
                    review_id=str(review.pk),
                    week_start=week_start,
                )
    logger.info(
        "weekly review job: user=%s week=%s source=%s %s", user_id, week_start, source, outcome
    )
    return outcome


@cron(settings.WEEKLY_REVIEWS_CRON)
@task
def sweep_weekly_reviews() -> dict:
    """The `weekly_reviews` schedule: queue the review of every user whose moment has come."""
    due = services.due_reviews()
    counts = {"due": len(due), "queued": 0, "failed": 0}
    for user_id, week_start in due:
        result = generate_weekly_review.enqueue(
            user_id=str(user_id), week_start=week_start.isoformat()
        )
        counts["queued"] += 1
        if result.status == TaskResultStatus.FAILED:
            counts["failed"] += 1
            logger.error("weekly review job failed: user=%s %s", user_id, result.errors)
    logger.info(
        "weekly review sweep: %(due)d due, %(queued)d queued, %(failed)d failed at once", counts
    )
    return counts
