"""'Your summary is ready', called by the summaries job after it stores a summary."""

import uuid

import pytest

from notifications.services import summary_ready_run
from notifications.tasks import notify_summary_ready
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


def test_summary_ready_is_sent_once_in_the_users_language(fake_expo, user, add_device):
    add_device(user)

    notify_summary_ready.enqueue(user_id=str(user.pk), summary_date="2026-12-01")
    notify_summary_ready.enqueue(user_id=str(user.pk), summary_date="2026-12-01")

    [message] = fake_expo.delivered
    assert message["title"] == "Tu resumen está listo"
    assert message["data"] == {"type": "summary_ready", "screen": "summary", "date": "2026-12-01"}


def test_summary_ready_in_english(fake_expo, make_user, add_device):
    user = make_user(language="en")
    add_device(user)

    notify_summary_ready.enqueue(user_id=str(user.pk), summary_date="2026-12-01")

    assert fake_expo.delivered[0]["title"] == "Your summary is ready"


def test_summary_ready_is_not_sent_in_quiet_hours(fake_expo, user, add_device):
    user.preferences = {"quiet_hours": {"start": "21:00", "end": "08:00"}}
    user.save()
    add_device(user)

    counts = summary_ready_run(
        user_id=user.pk, summary_date=utc(2026, 12, 1).date(), now=utc(2026, 12, 1, 22)
    )

    assert counts.skipped_quiet_hours == 1 and fake_expo.delivered == []


def test_an_unknown_user_is_ignored(fake_expo):
    result = notify_summary_ready.enqueue(user_id=str(uuid.uuid4()), summary_date="2026-12-01")

    assert result.return_value["sent"] == 0
    assert fake_expo.requests == []


def test_the_scheduled_summary_job_tells_the_devices_once(fake_expo, user, add_device):
    from summaries import tasks as summary_jobs

    add_device(user)
    day = user.local_now().date().isoformat()

    first = summary_jobs.generate_summary.call(user_id=str(user.pk), day=day)
    again = summary_jobs.generate_summary.call(user_id=str(user.pk), day=day, source="request")

    assert (first, again) == ("generated", "generated")
    [message] = fake_expo.delivered  # the user's own request is not announced
    assert message["data"]["date"] == day
