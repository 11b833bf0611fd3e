"""The nudge for a forgotten timer: past its estimate or over 3 hours, once per run."""

from datetime import timedelta

import pytest

from accounts.models import Notification
from notifications.services import stale_timer_nudges_run
from tasks.models import Task
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db

START = utc(2026, 12, 2, 9, 0)  # 10:00 in Madrid


@pytest.fixture
def ana(user, add_device):  # Europe/Madrid, Spanish
    add_device(user)
    return user


def running(user, *, since=START, title="Informe trimestral", **fields):
    return Task.objects.create(
        user=user, title=title, status="in_progress", running_since=since, **fields
    )


def test_a_timer_running_over_three_hours_gets_one_nudge(fake_expo, ana):
    task = running(ana)

    assert stale_timer_nudges_run(now=START + timedelta(hours=2, minutes=59)).sent == 0
    counts = stale_timer_nudges_run(now=START + timedelta(hours=3, minutes=5))

    assert counts.sent == 1
    [message] = fake_expo.delivered
    assert message["title"] == "¿Sigues con «Informe trimestral»?"
    assert (
        message["body"] == "El temporizador lleva 3 h 05 min en marcha. Páusalo si ya terminaste."
    )
    assert message["data"] == {"type": "stale_timer", "screen": "task", "task_id": str(task.id)}

    for hours in (4, 6, 12):
        stale_timer_nudges_run(now=START + timedelta(hours=hours))
    assert len(fake_expo.delivered) == 1


def test_a_new_run_of_the_timer_can_be_nudged_again(fake_expo, ana):
    task = running(ana)
    stale_timer_nudges_run(now=START + timedelta(hours=3, minutes=1))
    restart = START + timedelta(hours=5)
    Task.objects.filter(pk=task.pk).update(running_since=restart, tracked_seconds=3 * 3600)

    stale_timer_nudges_run(now=restart + timedelta(hours=3, minutes=1))

    assert len(fake_expo.delivered) == 2


def test_passing_the_estimate_nudges_before_three_hours(fake_expo, ana):
    running(ana, estimated_minutes=45)

    assert stale_timer_nudges_run(now=START + timedelta(minutes=44)).sent == 0
    assert stale_timer_nudges_run(now=START + timedelta(minutes=46)).sent == 1
    assert fake_expo.delivered[0]["body"].startswith("El temporizador lleva 46 min")


def test_the_estimate_counts_time_tracked_before_this_run(fake_expo, ana):
    running(ana, estimated_minutes=60, tracked_seconds=50 * 60)

    assert stale_timer_nudges_run(now=START + timedelta(minutes=11)).sent == 1


def test_a_resumed_task_already_past_its_estimate_waits_for_the_hours_rule(fake_expo, ana):
    running(ana, estimated_minutes=30, tracked_seconds=40 * 60)

    assert stale_timer_nudges_run(now=START + timedelta(hours=1)).sent == 0
    assert stale_timer_nudges_run(now=START + timedelta(hours=3)).sent == 1


def test_in_english_for_english_speakers(fake_expo, make_user, add_device):
    user = make_user(language="en", timezone="America/New_York")
    add_device(user)
    running(user, title="Report")

    stale_timer_nudges_run(now=START + timedelta(hours=4))

    assert fake_expo.delivered[0]["title"] == "Still on “Report”?"


def test_no_nudge_in_quiet_hours_but_one_after_them(fake_expo, ana):
    ana.preferences = {"quiet_hours": {"start": "13:00", "end": "15:00"}}
    ana.save()
    running(ana)  # started 10:00 local

    quiet = stale_timer_nudges_run(now=START + timedelta(hours=3, minutes=30))  # 13:30 local
    assert quiet.skipped_quiet_hours == 1 and fake_expo.delivered == []
    assert not Notification.objects.exists()  # the run's nudge is still to come

    stale_timer_nudges_run(now=START + timedelta(hours=5, minutes=1))  # 15:01 local
    assert len(fake_expo.delivered) == 1


def test_paused_tasks_and_people_who_turned_it_off_get_nothing(
    fake_expo, ana, make_user, add_device
):
    Task.objects.create(user=ana, title="En pausa", status="paused", tracked_seconds=5 * 3600)
    off = make_user(preferences={"notifications": {"stale_timer": False}})
    add_device(off)
    running(off)

    counts = stale_timer_nudges_run(now=START + timedelta(hours=4))

    assert fake_expo.delivered == [] and counts.skipped_disabled == 1
