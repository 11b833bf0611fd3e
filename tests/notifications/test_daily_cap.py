"""At most PUSH_MAX_PER_DAY notifications per person per local day."""

import pytest

from accounts.models import Notification
from accounts.notifications import send_test_push
from notifications.services import checkin_reminders_run, summary_ready_run
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(make_user, add_device):
    user = make_user(
        timezone="Europe/Madrid",
        preferences={"checkin_reminders": ["09:00", "09:05", "09:10", "09:15"]},
    )
    add_device(user)
    return user


def test_the_daily_cap_stops_what_is_over_it(fake_expo, settings, busy):
    settings.PUSH_MAX_PER_DAY = 2

    counts = checkin_reminders_run(now=utc(2026, 12, 2, 8, 20))

    assert counts.sent == 2 and counts.skipped_daily_cap == 2
    assert len(fake_expo.delivered) == 2
    statuses = sorted(Notification.objects.values_list("status", flat=True))
    assert statuses == ["sent", "sent", "skipped_daily_cap", "skipped_daily_cap"]

    summary = summary_ready_run(
        user_id=busy.pk, summary_date=utc(2026, 12, 2).date(), now=utc(2026, 12, 2, 20)
    )
    assert summary.skipped_daily_cap == 1 and len(fake_expo.delivered) == 2


def test_the_cap_counts_the_persons_local_day(fake_expo, settings, busy):
    settings.PUSH_MAX_PER_DAY = 1
    checkin_reminders_run(now=utc(2026, 12, 2, 8, 20))

    # 23:30 UTC on the 2nd is 00:30 on the 3rd in Madrid: a new day.
    counts = summary_ready_run(
        user_id=busy.pk, summary_date=utc(2026, 12, 2).date(), now=utc(2026, 12, 2, 23, 30)
    )

    assert counts.sent == 1 and len(fake_expo.delivered) == 2


def test_test_pushes_neither_count_nor_are_capped(fake_expo, settings, busy):
    settings.PUSH_MAX_PER_DAY = 1
    send_test_push(user=busy)
    send_test_push(user=busy)

    counts = checkin_reminders_run(now=utc(2026, 12, 2, 8, 20))

    assert counts.sent == 1
    assert len(fake_expo.delivered) == 3


def test_skipped_ones_do_not_count(fake_expo, settings, make_user, add_device):
    settings.PUSH_MAX_PER_DAY = 1
    user = make_user(
        timezone="Europe/Madrid",
        preferences={
            "checkin_reminders": ["06:00", "09:00"],
            "quiet_hours": {"start": "22:00", "end": "07:00"},
        },
    )
    add_device(user)

    checkin_reminders_run(now=utc(2026, 12, 2, 5, 1))  # 06:01 local: quiet
    counts = checkin_reminders_run(now=utc(2026, 12, 2, 8, 1))

    assert counts.sent == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_jobs_cannot_both_slip_under_the_cap(settings, make_user, add_device):
    import threading

    from django.db import connection

    from accounts.notifications import notification_create

    settings.PUSH_MAX_PER_DAY = 1
    user = make_user(email="carrera@example.com")
    add_device(user)
    barrier = threading.Barrier(4)
    outcomes = []

    def notify(key):
        try:
            barrier.wait()
            outcome, _ = notification_create(
                user=user, kind="summary_ready", dedupe_key=key, title="t", body="b", data={}
            )
            outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=notify, args=(f"k{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["daily_cap", "daily_cap", "daily_cap", "queued"]
