"""Writes for weekly reviews: build and store one, and find whose review is due.

`review_generate` is the one builder (the scheduled job, and the admin's "write again"):

1. the figures, through `planning.selectors.week_stats` (a fixed number of queries);
2. the text: the model through `config/llm.py` when one is configured, grounded in the figures
   alone; otherwise, or when the model fails, the template in the person's language (the
   model's failure is recorded in `llm_error`, never lost figures). The model is called before
   the transaction opens, so no lock is held while it writes;
3. the row, one per (user, ISO week): inserted, or replaced when asked again (`replace`).

`due_reviews` is the hourly sweep's list (planning/weeks.py says when a review is due).
"""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from planning.models import WeeklyReview
from planning.realtime import publish_review
from planning.selectors import reviewed_pairs, week_stats
from planning.text import model_messages, template_text
from planning.weeks import latest_moment, reviewed_week
from summaries.text import language_of, model_or_template

logger = logging.getLogger(__name__)


def _write_text(*, user, stats: dict, language: str) -> dict:
    """The weekly review's text and where it came from: the model, or the template."""
    return model_or_template(
        template=template_text(stats, language),
        messages=model_messages(stats, language, user.name),
        user_id=user.pk,
        what="weekly review text",
    )


def review_generate(
    *,
    user: User,
    week_start: date,
    source: str,
    replace: bool = False,
    now: datetime | None = None,
) -> tuple[WeeklyReview | None, bool]:
    """Build and store the user's review of the ISO week starting on `week_start` (a Monday);
    answers (review, created). A week already reviewed is left alone, (None, False), unless
    `replace` (the admin's "write again"), which rewrites the same row."""
    if source not in WeeklyReview.Source.values:
        raise ValueError(f"unknown source {source!r}")
    if week_start.isoweekday() != 1:
        raise ValueError(f"{week_start} is not a Monday")
    if not replace and WeeklyReview.objects.filter(user_id=user.pk, week_start=week_start).exists():
        return None, False
    now = now or timezone.now()
    stats = week_stats(user=user, week_start=week_start, now=now)
    language = language_of(user)
    fields = {
        "stats": stats,
        "language": language,
        "source": source,
        "generated_at": now,
        **_write_text(user=user, stats=stats, language=language),
    }
    try:
        with transaction.atomic():
            # Locks a stored review: two rewrites of one week replace it one at a time.
            review = (
                WeeklyReview.objects.select_for_update()
                .filter(user_id=user.pk, week_start=week_start)
                .first()
            )
            created = review is None
            if not created and not replace:
                return None, False
            if created:
                review = WeeklyReview(user=user, week_start=week_start)
            for name, value in fields.items():
                setattr(review, name, value)
            review.save()
            publish_review(review)
    except IntegrityError:
        # Another job inserted the week's review between our check and our insert (the
        # unique constraint says so): that one stands.
        return None, False
    return review, created


def due_reviews(*, now: datetime | None = None) -> list[tuple]:
    """[(user_id, week_start)] of active users whose review moment has come (planning/weeks.py)
    since they joined, and whose week has no review yet. Two queries however many users: the
    users (only the columns the moment needs) and the reviews of the weeks concerned."""
    now = now or timezone.now()
    candidates = []
    users = User.objects.filter(is_active=True).only("pk", "timezone", "preferences", "created_at")
    for user in users.order_by("pk").iterator(chunk_size=500):
        try:
            ZoneInfo(user.timezone)
        except (ValueError, KeyError, OSError):
            logger.warning("due reviews: unknown timezone %r skipped", user.timezone)
            continue
        moment, day = latest_moment(user, now)
        if moment < user.created_at:
            continue  # their first review is at their first moment after joining
        candidates.append((user.pk, reviewed_week(day)))
    if not candidates:
        return []
    stored = reviewed_pairs(week_starts={week for _, week in candidates})
    return [pair for pair in candidates if pair not in stored]
