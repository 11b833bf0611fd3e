"""The nudge for a forgotten timer: past its estimate or over 3 hours, once per run. It asks
"did you stop at …?" and opens the conversation in which it asked (tests/chat/test_nudges.py)."""

from datetime import timedelta

import pytest

from accounts.models import Notification
from chat.models import Conversation, Nudge
from notifications.services import proposed_stop, stale_timer_nudges_run
from tasks.models import Task, TaskEvent
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
    # No stretches of hers to go by: the question proposes an hour after the start.
    assert message["body"] == "¿Paraste a las 11:00? Llevas 3 h 05 min en «Informe trimestral»."
    nudge = Nudge.objects.get()
    assert message["data"] == {
        "type": "stale_timer",
        "screen": "conversation",
        "task_id": str(task.id),
        "conversation_id": str(nudge.conversation_id),
        "nudge_id": str(nudge.id),
    }
    assert message["categoryId"] == "stale_timer"
    assert nudge.question == message["body"]
    assert nudge.proposed_stopped_at == START + timedelta(hours=1)

    for hours in (4, 6, 12):
        stale_timer_nudges_run(now=START + timedelta(hours=hours))
    assert len(fake_expo.delivered) == 1
    assert Nudge.objects.count() == Conversation.objects.count() == 1


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
    # It asks about the moment the estimate was reached.
    assert fake_expo.delivered[0]["body"] == (
        "¿Paraste a las 10:45? Llevas 46 min en «Informe trimestral»."
    )


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
    assert fake_expo.delivered[0]["body"] == (
        "Did you stop at 05:00? “Report” has been running for 4 h 00 min."
    )


def test_no_nudge_in_quiet_hours_but_one_after_them(fake_expo, ana):
    ana.preferences = {"quiet_hours": {"start": "13:00", "end": "15:00"}}
    ana.save()
    running(ana)  # started 10:00 local

    quiet = stale_timer_nudges_run(now=START + timedelta(hours=3, minutes=30))  # 13:30 local
    assert quiet.skipped_quiet_hours == 1 and fake_expo.delivered == []
    assert not Notification.objects.exists()  # the run's nudge is still to come
    assert not Conversation.objects.exists() and not Nudge.objects.exists()

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
    assert not Conversation.objects.exists()


def _stretch(user, task, minutes, *, source="api", type="paused"):
    TaskEvent.objects.create(
        task=task,
        user=user,
        type=type,
        source=source,
        occurred_at=START - timedelta(days=1),
        segment_start=START - timedelta(days=1),
        segment_end=START - timedelta(days=1) + timedelta(minutes=minutes),
        duration_seconds=minutes * 60,
    )


def test_the_proposed_stop_is_sized_by_her_usual_stretch(ana):
    done = Task.objects.create(user=ana, title="Antes", status="paused")
    for minutes in (40, 90, 100):
        _stretch(ana, done, minutes)
    _stretch(ana, done, 600, source="system")  # cut by the stale-timer job: not hers
    task = running(ana)

    assert proposed_stop(task, START + timedelta(hours=4)) == START + timedelta(minutes=90)


def test_the_proposed_stop_is_never_after_now_and_cut_to_the_minute(ana):
    done = Task.objects.create(user=ana, title="Antes", status="paused")
    for minutes in (500, 500, 500):
        _stretch(ana, done, minutes)
    task = running(ana, since=START + timedelta(seconds=30))
    now = START + timedelta(hours=3, minutes=1, seconds=20)

    assert proposed_stop(task, now) == START + timedelta(hours=3, minutes=1)
