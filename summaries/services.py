"""Writes for daily summaries: build one, store it (upsert), queue one on request, and find
whose summary is due.

`summary_generate` is the one builder every path uses (the schedule, `manage.py
generate_daily_summaries`, seed_demo, and the `generate_summary` job that `POST .../generate`
and the admin's "regenerate" queue through `summary_request`):

1. the stats, through `summaries.selectors.day_stats` (a fixed number of queries);
2. the text: the model through `config/llm.py` when one is configured, grounded in the stats
   alone; otherwise, or when the model fails, the template in the user's language. A model
   failure never loses the stats: the summary is stored with the template text, `llm_error`
   set and `llm_failures` counted, and the due sweep asks the model again on a later run (at
   most MAX_LLM_FAILURES times);
3. the row, upserted by (user, date) under a row lock, and a live update after commit.

The model call happens before the transaction opens, so no row lock is held while it writes.

`summary_request` is what a person (the API) or staff (the admin) asking for a summary gets:
the job queued for the worker, never the model called inside an HTTP request (a model taking a
minute would hold one of the few HTTP workers for that minute, and every request queued behind
it; issue 22). One job per (user, day) waits at a time: a marker in the cache says one is queued
and the job removes it when it starts, so asking again while it waits queues nothing more, and
asking again once it has started queues a fresh one (the day may have changed since).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User
from config import llm
from config.localtime import ONE_DAY, at_local, local_today
from config.outage import FailOpenCache, OutageLog
from summaries.models import DailySummary
from summaries.realtime import publish_summary
from summaries.selectors import day_stats
from summaries.text import language_of, model_messages, model_or_template, template_text

logger = logging.getLogger(__name__)

DEFAULT_SUMMARY_HOUR = 21
# A summary whose text fell back to the template is retried with the model this many times in
# all, one try per sweep, then it keeps the template text.
MAX_LLM_FAILURES = 3


def summary_hour(user) -> int:
    """The local hour from which the user's day is summarised (preferences, default 21)."""
    hour = (user.preferences or {}).get("summary_hour")
    return hour if isinstance(hour, int) and 0 <= hour <= 23 else DEFAULT_SUMMARY_HOUR


def _write_text(*, user, stats: dict, language: str) -> dict:
    """The summary's text and where it came from: the model, or the template."""
    return model_or_template(
        template=template_text(stats, language),
        messages=model_messages(stats, language, user.name),
        user_id=user.pk,
        what="summary text",
    )


def summary_generate(
    *, user: User, day: date, source: str, now: datetime | None = None
) -> tuple[DailySummary, bool]:
    """Build and store the summary of the user's local day `day`; returns (summary, created).
    Generating again replaces the stored one (same row, new stats and text)."""
    if source not in DailySummary.Source.values:
        raise ValueError(f"unknown source {source!r}")
    now = now or timezone.now()
    stats = day_stats(user=user, day=day, now=now)
    language = language_of(user)
    fields = {
        "stats": stats,
        "language": language,
        "source": source,
        "generated_at": now,
        **_write_text(user=user, stats=stats, language=language),
    }
    failed = bool(fields["llm_error"])
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                # Locks the existing row: two generations of one day replace it one at a time.
                summary = (
                    DailySummary.objects.select_for_update()
                    .filter(user_id=user.pk, date=day)
                    .first()
                )
                created = summary is None
                if created:
                    summary = DailySummary(user=user, date=day)
                failures = summary.llm_failures + 1 if failed else 0
                for name, value in fields.items():
                    setattr(summary, name, value)
                summary.llm_failures = failures
                summary.save()
                publish_summary(summary, created=created, source=source)
            return summary, created
        except IntegrityError:
            # Another process created the row between our read and insert (the unique
            # constraint says so): once more, now as an update of that row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# --- on request: queued for the worker -------------------------------------------------------

# How long "a job is queued" holds when no worker takes it (worker down, a long backlog): after
# that, asking again queues another. The job clears it as soon as it starts.
QUEUED_MARKER_SECONDS = 15 * 60
# With Redis away the marker cannot be read or written: the request is queued anyway (the worst
# is a duplicate job, which writes the same row again), never refused.
queued_markers = FailOpenCache(
    cache,
    OutageLog("Redis (cache)", "summary requests are queued without the duplicate check"),
)


@dataclass(frozen=True)
class SummaryRequest:
    """What asking for a day's summary did: `status` is "queued" (a job was queued now) or
    "already_queued" (one was waiting for the worker; nothing more was queued); `replaces` is
    whether the day has a stored summary, which the job will replace (same row)."""

    date: date
    status: str
    replaces: bool


def _queued_marker_key(user_id, day: date) -> str:
    return f"summaries:queued:{user_id}:{day.isoformat()}"


def summary_queued_clear(*, user_id, day: date) -> None:
    """Called by the job as it starts: a request from now on queues a job of its own."""
    queued_markers.run(cache.delete, _queued_marker_key(user_id, day))


def summary_request(*, user: User, day: date, source: str) -> SummaryRequest:
    """Queue the `generate_summary` job for the user's local day `day` (after commit), unless
    one is already waiting for the worker. Never calls the model: the worker does, and the
    stored summary is announced (`summary.created`/`summary.updated`) when it is written.
    With the immediate backend (development, tests) the job runs inside `enqueue()`, so the
    summary is written by the time this returns."""
    from summaries.tasks import generate_summary  # the jobs module imports this one

    if source not in DailySummary.Source.values:
        raise ValueError(f"unknown source {source!r}")
    replaces = DailySummary.objects.filter(user_id=user.pk, date=day).exists()
    key = _queued_marker_key(user.pk, day)
    if not queued_markers.run(cache.add, key, source, QUEUED_MARKER_SECONDS, default=True):
        return SummaryRequest(date=day, status="already_queued", replaces=replaces)

    def enqueue() -> None:
        try:
            generate_summary.enqueue(user_id=str(user.pk), day=day.isoformat(), source=source)
        except Exception:
            # Not queued (the database went away): the next request must be free to queue.
            queued_markers.run(cache.delete, key)
            raise

    transaction.on_commit(enqueue)
    return SummaryRequest(date=day, status="queued", replaces=replaces)


# --- the schedule -----------------------------------------------------------------------------


def _hour_reached(hour: int) -> Q:
    """Users whose summary hour is at or before local hour `hour`."""
    reached = Q(preferences__summary_hour__lte=hour)
    if hour >= DEFAULT_SUMMARY_HOUR:
        reached |= ~Q(preferences__has_key="summary_hour")
    return reached


def summary_hour_at(user, day: date) -> datetime:
    """The instant the user's summary hour strikes on local day `day`."""
    return at_local(day, time(summary_hour(user)), user.tz)


def _final(*, user, day: date, source: str, generated_at: datetime, llm_failures: int) -> bool:
    """Whether a stored summary of `day` needs nothing more from the schedule: it was written
    by the schedule or at/after the summary hour (one asked for at noon does not stand in for
    the end of the day), and it is not waiting for another try of the model."""
    if llm.is_configured() and 0 < llm_failures < MAX_LLM_FAILURES:
        return False
    return source == DailySummary.Source.SCHEDULE or generated_at >= summary_hour_at(user, day)


def due_summaries(*, now: datetime | None = None) -> list[tuple]:
    """[(user_id, local date)] of active users whose local time has reached their summary hour
    today and whose today has no final summary yet (`_final`): none stored, one written
    before the hour on request, or one that fell back to the template after a model failure
    (to try the model again, while a model is configured).

    One query for the timezones in use and one for the users, however many users there are.
    """
    now = now or timezone.now()
    users = User.objects.filter(is_active=True)
    branches = Q()
    days: dict[str, date] = {}
    for name in users.order_by().values_list("timezone", flat=True).distinct():
        try:
            local = now.astimezone(ZoneInfo(name))
        except (ValueError, KeyError, OSError):
            logger.warning("due summaries: unknown timezone %r skipped", name)
            continue
        days[name] = local.date()
        of_today = DailySummary.objects.filter(user=OuterRef("pk"), date=local.date())
        # Stored by the schedule and not waiting for the model: final. The rest is decided
        # below, on the few rows that are left.
        scheduled = of_today.filter(source=DailySummary.Source.SCHEDULE)
        if llm.is_configured():
            scheduled = scheduled.exclude(llm_failures__gt=0, llm_failures__lt=MAX_LLM_FAILURES)
        branches |= Q(timezone=name) & _hour_reached(local.hour) & ~Q(Exists(scheduled))
    if not days:
        return []
    today = DailySummary.objects.filter(user=OuterRef("pk"), date__in=set(days.values()))
    latest = today.order_by("-date")
    rows = (
        users.filter(branches)
        .annotate(
            stored_date=Subquery(latest.values("date")[:1]),
            stored_source=Subquery(latest.values("source")[:1]),
            stored_at=Subquery(latest.values("generated_at")[:1]),
            stored_failures=Subquery(latest.values("llm_failures")[:1]),
        )
        .order_by("pk")
    )
    due = []
    for user in rows:
        day = days[user.timezone]
        if user.stored_date == day and _final(
            user=user,
            day=day,
            source=user.stored_source,
            generated_at=user.stored_at,
            llm_failures=user.stored_failures,
        ):
            continue
        due.append((user.pk, day))
    return due


def summary_is_due(*, user, day: date) -> bool:
    """False when the day's summary is stored and final (`_final`): the scheduled job checks it
    first, so a job queued twice (two sweeps before the worker got to it) writes once."""
    summary = (
        DailySummary.objects.filter(user_id=user.pk, date=day)
        .only("source", "generated_at", "llm_failures")
        .first()
    )
    if summary is None:
        return True
    return not _final(
        user=user,
        day=day,
        source=summary.source,
        generated_at=summary.generated_at,
        llm_failures=summary.llm_failures,
    )


def previous_local_day(user, now: datetime | None = None) -> date:
    """The user's local yesterday: the default day of `generate_daily_summaries`."""
    return local_today(user.tz, now) - ONE_DAY
