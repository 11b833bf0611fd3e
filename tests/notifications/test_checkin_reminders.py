"""Check-in reminders at each person's local times (frozen clock: the jobs' `now`)."""

import logging

import pytest

from accounts.models import Notification
from notifications.services import checkin_reminders_run
from notifications.tasks import send_checkin_reminders
from tests.notifications.conftest import push_lines, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def madrid(make_user, add_device):
    # Madrid is UTC+1 in December: 09:00 there is 08:00 UTC.
    user = make_user(
        email="madrid@example.com",
        timezone="Europe/Madrid",
        preferences={"checkin_reminders": ["09:00", "21:00"]},
    )
    add_device(user)
    return user


@pytest.fixture
def mexico(make_user, add_device):
    # Mexico City is UTC-6: 09:00 there is 15:00 UTC.
    user = make_user(
        email="cdmx@example.com",
        timezone="America/Mexico_City",
        language="en",
        preferences={"checkin_reminders": ["09:00"]},
    )
    add_device(user)
    return user


def tokens_of(user):
    return {d.expo_push_token for d in user.devices.all()}


def test_reminders_fire_for_the_users_whose_local_time_it_is(fake_expo, madrid, mexico):
    counts = checkin_reminders_run(now=utc(2026, 12, 2, 8, 2))

    assert counts.sent == 1
    [message] = fake_expo.delivered
    assert message["to"] in tokens_of(madrid)
    assert message["title"] == "¿Cómo estás?"
    assert message["data"] == {"type": "checkin_reminder", "screen": "checkin"}

    checkin_reminders_run(now=utc(2026, 12, 2, 15, 0))

    assert len(fake_expo.delivered) == 2
    assert fake_expo.delivered[1]["to"] in tokens_of(mexico)
    assert fake_expo.delivered[1]["title"] == "How are you doing?"


def test_a_reminder_is_sent_once_however_often_the_job_runs(fake_expo, madrid):
    for minute in (0, 5, 10, 25):
        checkin_reminders_run(now=utc(2026, 12, 2, 8, minute))

    assert len(fake_expo.delivered) == 1
    assert Notification.objects.get().dedupe_key == "2026-12-02T09:00"


def test_nothing_before_the_time_or_after_the_window(fake_expo, madrid):
    checkin_reminders_run(now=utc(2026, 12, 2, 7, 59))
    checkin_reminders_run(now=utc(2026, 12, 2, 8, 30))  # the 30-minute window has passed

    assert fake_expo.delivered == []


def test_each_day_and_each_time_gets_its_own_reminder(fake_expo, madrid):
    checkin_reminders_run(now=utc(2026, 12, 2, 8, 0))
    checkin_reminders_run(now=utc(2026, 12, 2, 20, 1))
    checkin_reminders_run(now=utc(2026, 12, 3, 8, 3))

    assert len(fake_expo.delivered) == 3


def test_a_reminder_just_before_midnight_is_caught_after_it(fake_expo, make_user, add_device):
    user = make_user(timezone="Europe/Madrid", preferences={"checkin_reminders": ["23:50"]})
    add_device(user)

    checkin_reminders_run(now=utc(2026, 12, 2, 23, 5))  # 00:05 on the 3rd in Madrid

    assert len(fake_expo.delivered) == 1
    assert Notification.objects.get().dedupe_key == "2026-12-02T23:50"


def test_never_inside_quiet_hours(fake_expo, make_user, add_device, caplog):
    user = make_user(
        timezone="Europe/Madrid",
        preferences={
            "checkin_reminders": ["06:30", "23:00"],
            "quiet_hours": {"start": "22:00", "end": "07:00"},
        },
    )
    add_device(user)

    counts = checkin_reminders_run(now=utc(2026, 12, 2, 5, 31))  # 06:31 local
    counts.add(checkin_reminders_run(now=utc(2026, 12, 2, 22, 1)))  # 23:01 local

    assert fake_expo.delivered == []
    assert counts.skipped_quiet_hours == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {"skipped_quiet_hours"}
    assert checkin_reminders_run(now=utc(2026, 12, 2, 22, 6)).skipped_quiet_hours == 0  # once


def test_a_person_who_turned_reminders_off_gets_none(fake_expo, madrid):
    madrid.preferences["notifications"] = {"checkin_reminder": False}
    madrid.save()

    counts = checkin_reminders_run(now=utc(2026, 12, 2, 8, 0))

    assert fake_expo.delivered == [] and counts.skipped_disabled == 1


def test_people_without_devices_or_inactive_are_not_reminded(fake_expo, make_user, madrid):
    make_user(timezone="Europe/Madrid", preferences={"checkin_reminders": ["09:00"]})
    madrid.is_active = False
    madrid.save()

    checkin_reminders_run(now=utc(2026, 12, 2, 8, 0))

    assert fake_expo.delivered == []
    assert not Notification.objects.exists()


def test_the_job_logs_one_line_with_its_counts(fake_expo, caplog):
    with caplog.at_level(logging.INFO, logger="accounts.push"):
        result = send_checkin_reminders.enqueue()

    assert result.return_value["sent"] == 0
    [line] = push_lines(caplog, "send_checkin_reminders")
    for key in (
        "sent=",
        "failed=",
        "skipped_quiet_hours=",
        "skipped_daily_cap=",
        "devices_removed=",
    ):
        assert key in line
