"""Check-in reminders on the days the clocks change (Europe/Madrid, 2026): the job runs every
5 minutes (notifications/tasks.py) and a reminder is due for PUSH_REMINDER_WINDOW_MINUTES
(30) of real time from its moment, so it is due in 6 runs, whatever the day.

- 29 March: 02:00 jumps to 03:00; a 02:30 reminder is due from 03:00 (the first minute after
  the gap), once.
- 25 October: 03:00 goes back to 02:00; 02:30 happens twice and the reminder comes the first
  time only.
"""

from datetime import date, timedelta

import pytest

from accounts.models import Notification, User
from config.localtime import local_day_bounds
from notifications.services import checkin_reminders_run, due_reminder_slots

MADRID = "Europe/Madrid"
JOB_EVERY = timedelta(minutes=5)
WINDOW = timedelta(minutes=30)
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)
NORMAL_DAY = date(2026, 3, 28)


def job_runs(day: date, user: User):
    """Every run of the job from the local day's start to an hour after its end, in UTC."""
    start, end = local_day_bounds(day, user.tz)
    moment = start
    while moment < end + timedelta(hours=1):
        yield moment
        moment += JOB_EVERY


def due_runs(day: date, *times: str) -> list[tuple[str, str]]:
    """(local time of the run, the reminder's key) for every run in which a reminder was due."""
    user = User(timezone=MADRID, preferences={"checkin_reminders": list(times)})
    return [
        (now.astimezone(user.tz).strftime("%H:%M%z"), moment.strftime("%Y-%m-%dT%H:%M"))
        for now in job_runs(day, user)
        for moment in due_reminder_slots(user, now, WINDOW)
    ]


def test_on_a_normal_day_a_reminder_is_due_in_six_runs_from_its_time():
    runs = due_runs(NORMAL_DAY, "02:30")

    assert [local for local, _ in runs] == [
        f"02:{minute}+0100" for minute in ("30", "35", "40", "45", "50", "55")
    ]
    assert {key for _, key in runs} == {"2026-03-28T02:30"}


def test_a_reminder_in_the_skipped_hour_is_due_from_the_first_minute_after_it():
    runs = due_runs(SPRING_FORWARD, "02:30")

    assert [local for local, _ in runs] == [
        f"03:{minute}+0200" for minute in ("00", "05", "10", "15", "20", "25")
    ]
    assert {key for _, key in runs} == {"2026-03-29T03:00"}


def test_a_reminder_just_before_the_skipped_hour_keeps_its_whole_window():
    runs = due_runs(SPRING_FORWARD, "01:45")

    # 30 minutes of real time: three runs before the jump and three after it.
    assert [local for local, _ in runs] == [
        "01:45+0100",
        "01:50+0100",
        "01:55+0100",
        "03:00+0200",
        "03:05+0200",
        "03:10+0200",
    ]


def test_a_reminder_in_the_repeated_hour_is_due_the_first_time_only():
    runs = due_runs(FALL_BACK, "02:30")

    assert [local for local, _ in runs] == [
        f"02:{minute}+0200" for minute in ("30", "35", "40", "45", "50", "55")
    ]
    assert {key for _, key in runs} == {"2026-10-25T02:30"}


def test_two_reminders_in_the_skipped_hour_are_one_moment():
    runs = due_runs(SPRING_FORWARD, "02:10", "02:40")

    assert len(runs) == 6
    assert {key for _, key in runs} == {"2026-03-29T03:00"}


@pytest.mark.django_db
@pytest.mark.parametrize("day", [NORMAL_DAY, SPRING_FORWARD, FALL_BACK])
def test_the_job_sends_one_reminder_on_every_kind_of_day(fake_expo, make_user, add_device, day):
    user = make_user(timezone=MADRID, preferences={"checkin_reminders": ["02:30"]})
    add_device(user)

    for now in job_runs(day, user):
        checkin_reminders_run(now=now)

    [notification] = Notification.objects.all()
    assert len(fake_expo.delivered) == 1
    expected = {NORMAL_DAY: "02:30+0100", SPRING_FORWARD: "03:00+0200", FALL_BACK: "02:30+0200"}
    assert notification.created_at.astimezone(user.tz).strftime("%H:%M%z") == expected[day]
