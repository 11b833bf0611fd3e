"""The goal-behind-pace nudge: a periodic goal past half its period and below an even pace is
asked about once per period, from 18:00 local, in a conversation the push opens."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Notification
from chat.models import Conversation, Message, Nudge
from goals.models import Goal, GoalPause, GoalProgress
from notifications.services import goal_pace_nudges_run

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
MONDAY = date(2026, 11, 30)


def madrid(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MADRID)


THURSDAY_EVENING = madrid(MONDAY + timedelta(days=3), 18, 30)


@pytest.fixture
def ana(user, add_device):  # Europe/Madrid, Spanish
    add_device(user)
    return user


def goal(user, *, period="weekly", target=5, start=MONDAY, title="Leer", unit="sesiones"):
    return Goal.objects.create(
        user=user,
        title=title,
        target_value=Decimal(target),
        unit=unit,
        period=period,
        start_date=start,
    )


def progress(goal, value, at):
    GoalProgress.objects.create(goal=goal, user=goal.user, value=Decimal(value), recorded_at=at)


def test_a_weekly_goal_behind_pace_is_asked_once_that_week(fake_expo, ana):
    reading = goal(ana)
    progress(reading, 1, madrid(MONDAY + timedelta(days=1), 9))

    counts = goal_pace_nudges_run(now=THURSDAY_EVENING)

    assert counts.sent == 1
    [message] = fake_expo.delivered
    nudge = Nudge.objects.get()
    assert message["title"] == "«Leer» va con retraso"
    assert message["body"] == nudge.question
    assert nudge.question == (
        "«Leer» va con retraso esta semana: llevas 1 de 5 sesiones y a un ritmo constante "
        "irías por 2.7. ¿Lo pausamos unos días (enfermedad, viaje, descanso) o registras lo "
        "que hayas hecho?"
    )
    assert message["data"] == {
        "type": "goal_behind_pace",
        "screen": "conversation",
        "goal_id": str(reading.pk),
        "conversation_id": str(nudge.conversation_id),
        "nudge_id": str(nudge.pk),
    }
    assert "categoryId" not in message  # answered in the conversation, not by buttons
    assert (nudge.kind, nudge.goal_id, nudge.task_id) == ("goal_behind_pace", reading.pk, None)
    assert list(Message.objects.values_list("role", "content")) == [("assistant", nudge.question)]

    for later in (THURSDAY_EVENING + timedelta(hours=1), THURSDAY_EVENING + timedelta(days=2)):
        assert goal_pace_nudges_run(now=later).sent == 0
    assert len(fake_expo.delivered) == 1

    next_week = goal_pace_nudges_run(now=THURSDAY_EVENING + timedelta(days=7))
    assert next_week.sent == 1
    assert Nudge.objects.count() == Conversation.objects.count() == 2


def test_nothing_before_the_local_hour(fake_expo, ana):
    goal(ana)

    assert goal_pace_nudges_run(now=THURSDAY_EVENING - timedelta(hours=1)).sent == 0
    assert not Nudge.objects.exists()


def test_nothing_before_half_the_period_has_passed(fake_expo, ana):
    goal(ana)  # nothing logged, but it is Tuesday

    assert goal_pace_nudges_run(now=madrid(MONDAY + timedelta(days=1), 20)).sent == 0


def test_nothing_for_a_goal_on_pace(fake_expo, ana):
    reading = goal(ana)
    progress(reading, 3, madrid(MONDAY + timedelta(days=2), 9))

    assert goal_pace_nudges_run(now=THURSDAY_EVENING).sent == 0


def test_a_goal_started_within_the_period_is_paced_from_its_start(fake_expo, ana):
    reading = goal(ana, start=MONDAY + timedelta(days=2))  # Wednesday
    progress(reading, 1, madrid(MONDAY + timedelta(days=2), 9))

    assert goal_pace_nudges_run(now=THURSDAY_EVENING).sent == 0  # 35 % of its five days
    assert goal_pace_nudges_run(now=THURSDAY_EVENING + timedelta(days=2)).sent == 1


def test_a_daily_goal_is_asked_in_the_evening(fake_expo, ana):
    water = goal(ana, period="daily", target=8, title="Agua", unit="vasos")
    progress(water, 2, madrid(MONDAY, 10))

    assert goal_pace_nudges_run(now=madrid(MONDAY, 18, 30)).sent == 1
    assert fake_expo.delivered[0]["body"].startswith(
        "«Agua» va con retraso hoy: llevas 2 de 8 vasos y a un ritmo constante irías por 6.2."
    )


def pause(goal, first: date, last: date):
    GoalPause.objects.create(goal=goal, user=goal.user, date_from=first, date_to=last)


def test_a_goal_paused_today_is_not_asked(fake_expo, ana):
    reading = goal(ana)
    pause(reading, MONDAY + timedelta(days=3), MONDAY + timedelta(days=5))

    assert goal_pace_nudges_run(now=THURSDAY_EVENING).sent == 0


def test_paused_days_neither_count_as_passed_nor_ask_their_share(fake_expo, ana):
    reading = goal(ana)
    pause(reading, MONDAY, MONDAY + timedelta(days=1))  # Monday and Tuesday
    progress(reading, 1, madrid(MONDAY + timedelta(days=2), 9))

    # Wednesday and most of Thursday: 35 % of the five unpaused days.
    assert goal_pace_nudges_run(now=THURSDAY_EVENING).sent == 0
    assert goal_pace_nudges_run(now=THURSDAY_EVENING + timedelta(days=2)).sent == 1
    # The week asks 5 x 5/7 = 3.58 (3.6 written), and by Saturday evening 2.7 of it.
    assert fake_expo.delivered[0]["body"].startswith(
        "«Leer» va con retraso esta semana: llevas 1 de 3.6 sesiones y a un ritmo constante "
        "irías por 2.7."
    )


def test_goals_without_a_period_archived_or_past_due_are_not_asked(fake_expo, ana):
    goal(ana, period="none", title="Sin periodo")
    archived = goal(ana, title="Archivado")
    Goal.objects.filter(pk=archived.pk).update(status="archived")
    past_due = goal(ana, title="Vencido")
    Goal.objects.filter(pk=past_due.pk).update(due_date=MONDAY + timedelta(days=1))

    assert goal_pace_nudges_run(now=THURSDAY_EVENING).sent == 0


def test_people_who_turned_it_off_get_nothing(fake_expo, ana):
    ana.preferences = {"notifications": {"goal_behind_pace": False}}
    ana.save()
    goal(ana)

    counts = goal_pace_nudges_run(now=THURSDAY_EVENING)

    assert counts.skipped_disabled == 1 and fake_expo.delivered == []
    assert not Conversation.objects.exists()


def test_quiet_hours_hold_it_until_they_end(fake_expo, ana):
    ana.preferences = {"quiet_hours": {"start": "18:00", "end": "20:00"}}
    ana.save()
    goal(ana)

    quiet = goal_pace_nudges_run(now=THURSDAY_EVENING)
    assert quiet.skipped_quiet_hours == 1 and not Notification.objects.exists()
    assert not Nudge.objects.exists()

    assert goal_pace_nudges_run(now=THURSDAY_EVENING + timedelta(hours=2)).sent == 1


def test_in_english_for_english_speakers(fake_expo, make_user, add_device):
    pat = make_user(language="en", timezone="Europe/Madrid")
    add_device(pat)
    goal(pat, title="Read", unit="sessions")

    goal_pace_nudges_run(now=THURSDAY_EVENING)

    assert fake_expo.delivered[0]["title"] == "“Read” is behind pace"
    assert fake_expo.delivered[0]["body"].startswith(
        "“Read” is behind this week: 0 of 5 sessions so far, where an even pace would be at 2.7."
    )
