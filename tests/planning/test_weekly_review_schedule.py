"""When a weekly review is due (planning/weeks.py, services.due_reviews) and that the schedule
writes it once: at the person's local weekday and hour, across the days the clocks change."""

from datetime import UTC, date, datetime, timedelta

import pytest

from planning import tasks as jobs
from planning.models import WeeklyReview
from planning.services import due_reviews, review_generate
from planning.weeks import reviewed_week
from tests.planning.conftest import madrid

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def ana(user):
    """Madrid, default review moment (Sunday 18:00), joined long before the weeks tested."""
    user.created_at = utc(2026, 1, 5)
    user.save()
    return user


def write(due):
    for user_id, week_start in due:
        jobs.generate_weekly_review.call(user_id=str(user_id), week_start=week_start.isoformat())


@pytest.mark.parametrize(
    ("before", "after", "week"),
    [
        # Sunday 25 October 2026: Madrid went back to UTC+1 at 03:00 that morning.
        (utc(2026, 10, 25, 16, 59), utc(2026, 10, 25, 17, 0), date(2026, 10, 19)),
        # The Sunday before, still summer time (UTC+2): 18:00 is 16:00 UTC.
        (utc(2026, 10, 18, 15, 59), utc(2026, 10, 18, 16, 0), date(2026, 10, 12)),
        # Sunday 29 March 2026: Madrid moved to UTC+2 at 02:00 that morning.
        (utc(2026, 3, 29, 15, 59), utc(2026, 3, 29, 16, 0), date(2026, 3, 23)),
        # The Sunday before, winter time (UTC+1): 18:00 is 17:00 UTC.
        (utc(2026, 3, 22, 16, 59), utc(2026, 3, 22, 17, 0), date(2026, 3, 16)),
    ],
)
def test_due_at_the_local_hour_across_a_dst_change(ana, before, after, week):
    # A minute before, the latest moment is the previous Sunday's (that week is due, not this).
    assert due_reviews(now=before) == [(ana.pk, week - timedelta(days=7))]
    assert due_reviews(now=after) == [(ana.pk, week)]


def test_written_once_however_many_sweeps_and_jobs(ana):
    sunday_evening = utc(2026, 10, 25, 17, 5)  # 18:05 in Madrid, the day the clocks went back
    assert due_reviews(now=sunday_evening - timedelta(minutes=10)) == [(ana.pk, date(2026, 10, 12))]

    due = due_reviews(now=sunday_evening)
    assert due == [(ana.pk, date(2026, 10, 19))]
    write(due)
    write(due)  # the same job queued twice (two sweeps before the worker got to it)

    assert WeeklyReview.objects.filter(user=ana).count() == 1
    for hours in (1, 6, 24, 24 * 6):  # every sweep until the next Sunday's moment
        assert due_reviews(now=sunday_evening + timedelta(hours=hours)) == []
    assert due_reviews(now=utc(2026, 11, 1, 17, 0)) == [(ana.pk, date(2026, 10, 26))]


def test_the_job_queued_twice_reports_skipped(ana):
    week = "2026-10-19"

    first = jobs.generate_weekly_review.call(user_id=str(ana.pk), week_start=week)
    again = jobs.generate_weekly_review.call(user_id=str(ana.pk), week_start=week)

    assert (first, again) == ("generated", "skipped")


def test_an_hour_the_clocks_skip_strikes_right_after_the_gap(ana):
    ana.preferences = {"weekly_review": {"weekday": 7, "hour": 2}}
    ana.save()
    # 29 March 2026, 02:00 does not exist in Madrid: the moment is 03:00 CEST, 01:00 UTC.
    assert (ana.pk, date(2026, 3, 23)) not in due_reviews(now=utc(2026, 3, 29, 0, 59))
    assert due_reviews(now=utc(2026, 3, 29, 1, 0)) == [(ana.pk, date(2026, 3, 23))]


def test_an_hour_that_happens_twice_strikes_once(ana):
    ana.preferences = {"weekly_review": {"weekday": 7, "hour": 2}}
    ana.save()
    # 25 October 2026: 02:00-03:00 happens twice in Madrid; the first 02:00 is 00:00 UTC.
    first = due_reviews(now=utc(2026, 10, 25, 0, 0))
    assert first == [(ana.pk, date(2026, 10, 19))]
    write(first)

    assert due_reviews(now=utc(2026, 10, 25, 1, 5)) == []  # the second 02:05


def test_the_weekday_and_hour_are_the_persons_choice(ana):
    ana.preferences = {"weekly_review": {"weekday": 1, "hour": 9}}  # Monday 09:00
    ana.save()

    assert due_reviews(now=madrid(2026, 11, 30, 8, 59)) == [(ana.pk, date(2026, 11, 16))]
    # Monday reviews the week that just ended.
    assert due_reviews(now=madrid(2026, 11, 30, 9, 0)) == [(ana.pk, date(2026, 11, 23))]


def test_the_week_reviewed_is_the_one_whose_sunday_is_nearest():
    assert reviewed_week(date(2026, 11, 29)) == date(2026, 11, 23)  # Sunday: this week
    assert reviewed_week(date(2026, 11, 26)) == date(2026, 11, 23)  # Thursday: this week
    assert reviewed_week(date(2026, 11, 25)) == date(2026, 11, 16)  # Wednesday: the last one
    assert reviewed_week(date(2026, 11, 23)) == date(2026, 11, 16)  # Monday: the last one


def test_no_review_of_a_week_before_the_person_joined(make_user):
    newcomer = make_user(timezone="Europe/Madrid")
    newcomer.created_at = utc(2026, 10, 28, 12)  # a Wednesday
    newcomer.save()

    assert due_reviews(now=utc(2026, 10, 30, 12)) == []  # last Sunday's moment predates them
    assert due_reviews(now=utc(2026, 11, 1, 17, 0)) == [(newcomer.pk, date(2026, 10, 26))]


def test_inactive_people_get_none(ana):
    ana.is_active = False
    ana.save()

    assert due_reviews(now=utc(2026, 10, 25, 17, 5)) == []


def test_the_hourly_sweep_queues_and_then_finds_nothing(ana, caplog):
    ana.created_at = datetime.now(UTC) - timedelta(days=30)
    ana.save()

    first = jobs.sweep_weekly_reviews.call()
    second = jobs.sweep_weekly_reviews.call()

    assert (first["due"], first["queued"], first["failed"]) == (1, 1, 0)
    assert second["due"] == 0
    assert WeeklyReview.objects.filter(user=ana, source="schedule").count() == 1
    assert "weekly review sweep: 1 due, 1 queued, 0 failed at once" in caplog.messages


def test_the_schedule_holds_the_weekly_reviews_sweep_hourly():
    from crontask import scheduler

    schedule = {job.name: str(job.trigger) for job in scheduler.get_jobs()}

    assert "hour='*', minute='5'" in schedule["sweep_weekly_reviews"]


def test_writing_again_replaces_the_same_row(ana):
    week = date(2026, 10, 19)
    first, created = review_generate(user=ana, week_start=week, source="schedule")

    again, created_again = review_generate(user=ana, week_start=week, source="admin", replace=True)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.source == "admin"


def test_a_week_starts_on_a_monday(ana):
    with pytest.raises(ValueError, match="not a Monday"):
        review_generate(user=ana, week_start=date(2026, 10, 20), source="schedule")
