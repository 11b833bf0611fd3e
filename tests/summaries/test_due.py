"""The due sweep: who gets a summary now, with the clock fixed (services take `now`)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from summaries import services, tasks
from summaries.models import DailySummary

pytestmark = pytest.mark.django_db

# 20:10 UTC on 2 December 2026: 21:10 in Madrid, 14:10 in Mexico City, 05:10 (3 Dec) in Tokyo.
NOW = datetime(2026, 12, 2, 20, 10, tzinfo=UTC)


@pytest.fixture
def people(make_user):
    return {
        # Madrid, default hour 21: 21:10 there, due.
        "madrid": make_user(timezone="Europe/Madrid"),
        # Madrid, hour 22: not yet.
        "madrid_late": make_user(timezone="Europe/Madrid", preferences={"summary_hour": 22}),
        # Mexico City, hour 14: 14:10 there, due.
        "mexico_early": make_user(timezone="America/Mexico_City", preferences={"summary_hour": 14}),
        # Mexico City, default 21: not yet.
        "mexico": make_user(timezone="America/Mexico_City"),
        # Tokyo, hour 5: already 3 December there, 05:10, due for the 3rd.
        "tokyo": make_user(timezone="Asia/Tokyo", preferences={"summary_hour": 5}),
        # Tokyo, hour 0 but inactive: never.
        "gone": make_user(timezone="Asia/Tokyo", preferences={"summary_hour": 0}, is_active=False),
        # UTC, hour 20, other keys in preferences: 20:10, due.
        "utc": make_user(
            timezone="UTC", preferences={"summary_hour": 20, "checkin_reminders": ["09:00"]}
        ),
    }


def chosen(people, now):
    names = {person.pk: name for name, person in people.items()}
    return {(names[user_id], day) for user_id, day in services.due_summaries(now=now)}


def test_the_sweep_picks_exactly_the_users_past_their_local_hour(people):
    assert chosen(people, NOW) == {
        ("madrid", date(2026, 12, 2)),
        ("mexico_early", date(2026, 12, 2)),
        ("tokyo", date(2026, 12, 3)),
        ("utc", date(2026, 12, 2)),
    }


def test_one_minute_before_their_hours_nobody_is_due(people):
    # 19:59 UTC: 20:59 in Madrid, 13:59 in Mexico City, 04:59 in Tokyo, 19:59 in UTC.
    before = datetime(2026, 12, 2, 19, 59, tzinfo=UTC)
    assert chosen(people, before) == set()


def test_after_local_midnight_the_new_day_waits_for_its_hour(people):
    # 23:30 UTC: 00:30 on 3 December in Madrid; the 2nd's summary was due until midnight.
    after_midnight = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert {name for name, _ in chosen(people, after_midnight)} == {
        "mexico_early",  # 17:30 on the 2nd
        "tokyo",  # 08:30 on the 3rd
        "utc",  # 23:30 on the 2nd
    }


def test_exactly_on_the_hour_is_due(people):
    # 20:00 UTC is 21:00 in Madrid.
    on_the_hour = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    assert ("madrid", date(2026, 12, 2)) in chosen(people, on_the_hour)


def test_a_stored_summary_of_that_local_day_is_not_due_again(people):
    DailySummary.objects.create(
        user=people["madrid"], date=date(2026, 12, 2), language="es", source="schedule"
    )
    # Yesterday's summary does not count for today.
    DailySummary.objects.create(
        user=people["utc"], date=date(2026, 12, 1), language="es", source="schedule"
    )
    picked = chosen(people, NOW)
    assert ("madrid", date(2026, 12, 2)) not in picked
    assert ("utc", date(2026, 12, 2)) in picked


def test_sweeping_twice_creates_each_summary_once(make_user):
    # Hour 0: due whatever the real clock says, in every timezone.
    everyone = [
        make_user(timezone=name, preferences={"summary_hour": 0})
        for name in ("Europe/Madrid", "America/Mexico_City", "Asia/Tokyo")
    ]

    first = tasks.sweep_due_summaries.call()
    second = tasks.sweep_due_summaries.call()

    assert first == {"due": 3, "queued": 3, "failed": 0}
    assert second == {"due": 0, "queued": 0, "failed": 0}
    stored = DailySummary.objects.values_list("user_id", "date", "source")
    assert sorted(stored) == sorted(
        (person.pk, person.local_now().date(), "schedule") for person in everyone
    )


def test_a_job_queued_twice_writes_once(user):
    day = user.local_now().date()
    assert tasks.generate_summary.call(user_id=str(user.pk), day=day.isoformat()) == "generated"
    first = DailySummary.objects.get(user=user, date=day)

    assert tasks.generate_summary.call(user_id=str(user.pk), day=day.isoformat()) == "skipped"

    again = DailySummary.objects.get(user=user, date=day)
    assert again.generated_at == first.generated_at


def test_a_job_for_a_deleted_user_does_nothing(user):
    user_id, day = str(user.pk), user.local_now().date().isoformat()
    user.delete()
    assert tasks.generate_summary.call(user_id=user_id, day=day) == "gone"
    assert not DailySummary.objects.exists()


def test_a_summary_asked_for_before_the_hour_does_not_replace_the_evening_one(people):
    madrid, utc = people["madrid"], people["utc"]
    # Madrid asked at noon local (before 21:00): the schedule still writes the day's summary.
    DailySummary.objects.create(
        user=madrid,
        date=date(2026, 12, 2),
        language="es",
        source="request",
        generated_at=datetime(2026, 12, 2, 11, 0, tzinfo=UTC),
    )
    # UTC asked at 20:05, after its 20:00 hour: that one is the day's summary.
    DailySummary.objects.create(
        user=utc,
        date=date(2026, 12, 2),
        language="es",
        source="request",
        generated_at=datetime(2026, 12, 2, 20, 5, tzinfo=UTC),
    )

    picked = chosen(people, NOW)

    assert ("madrid", date(2026, 12, 2)) in picked
    assert ("utc", date(2026, 12, 2)) not in picked


def test_the_job_rewrites_a_summary_asked_for_before_the_hour(user):
    user.preferences = {"summary_hour": 0}
    user.save()
    day = user.local_now().date()
    early = DailySummary.objects.create(
        user=user,
        date=day,
        language="es",
        source="request",
        generated_at=datetime(day.year, day.month, day.day, tzinfo=user.tz) - timedelta(minutes=1),
    )

    assert tasks.generate_summary.call(user_id=str(user.pk), day=day.isoformat()) == "generated"
    early.refresh_from_db()
    assert early.source == "schedule"
    assert tasks.generate_summary.call(user_id=str(user.pk), day=day.isoformat()) == "skipped"
