"""Pausing a goal: POST /goals/{id}/pause, its pauses, ending one early, and what a pause does
to the streak and the period (goals/pauses.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from goals.models import GoalPause
from goals.pauses import paused_until, period_met
from goals.selectors import goal_stats
from goals.services import goal_pause
from tests.goals.conftest import local

pytestmark = pytest.mark.django_db

MX = "America/Mexico_City"  # UTC-6 all year


@pytest.fixture
def mx_user(make_user):
    return make_user(email="mx@example.com", timezone=MX)


def pause(goal, first, last, **kwargs):
    return goal_pause(
        user=goal.user, goal=goal, date_from=first, date_to=last, source="api", **kwargs
    )


# --- the rules --------------------------------------------------------------------------------


def test_a_paused_daily_goal_keeps_its_streak(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="daily", target_value=Decimal("1"))
    for day in (16, 17, 18, 22, 23):  # ill from the 19th to the 21st
        log(goal, 1, at=local(MX, 2026, 11, day, 7, 0))
    now = local(MX, 2026, 11, 24, 8, 0)
    assert goal_stats(goal, now=now).streak == 2  # the gap broke it

    pause(goal, date(2026, 11, 19), date(2026, 11, 21), now=now)

    assert goal_stats(goal, now=now).streak == 5  # 16, 17, 18, (paused), 22, 23


def test_a_paused_day_met_anyway_counts(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="daily", target_value=Decimal("1"))
    for day in (20, 21, 22):
        log(goal, 1, at=local(MX, 2026, 11, day, 7, 0))
    now = local(MX, 2026, 11, 23, 6, 0)
    pause(goal, date(2026, 11, 21), date(2026, 11, 21), now=now)

    assert goal_stats(goal, now=now).streak == 3


def test_a_week_paused_entirely_is_not_counted_as_missed(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="weekly", target_value=Decimal("10"))
    log(goal, 10, at=local(MX, 2026, 11, 3, 8, 0))  # week of Nov 2: met
    # week of Nov 9: nothing, on holiday
    log(goal, 10, at=local(MX, 2026, 11, 17, 8, 0))  # week of Nov 16: met
    now = local(MX, 2026, 11, 24, 8, 0)
    assert goal_stats(goal, now=now).streak == 1

    pause(goal, date(2026, 11, 9), date(2026, 11, 15), now=now)

    assert goal_stats(goal, now=now).streak == 2


def test_a_week_paused_in_part_asks_its_share_of_the_target(mx_user, make_goal, log):
    goal = make_goal(owner=mx_user, period="weekly", target_value=Decimal("20"))
    log(goal, 20, at=local(MX, 2026, 11, 3, 8, 0))  # week of Nov 2: met
    log(goal, "11.43", at=local(MX, 2026, 11, 13, 8, 0))  # week of Nov 9: 4 of 7 days
    now = local(MX, 2026, 11, 17, 8, 0)
    pause(goal, date(2026, 11, 9), date(2026, 11, 11), now=now)  # Mon-Wed paused

    assert goal_stats(goal, now=now).streak == 2  # 20 * 4/7 = 11.43 (rounded up) is met

    log(goal, "-0.01", at=local(MX, 2026, 11, 13, 9, 0))
    assert goal_stats(goal, now=now).streak == 0  # 11.42 is not


def test_period_rules_in_isolation():
    week = date(2026, 11, 9)
    target = Decimal("7")
    assert period_met("weekly", week, Decimal("0"), target, []) is False
    assert period_met("weekly", week, Decimal("0"), target, [(week, week + timedelta(6))]) is None
    assert period_met("weekly", week, Decimal("7"), target, [(week, week + timedelta(6))]) is True
    assert period_met("weekly", week, Decimal("6"), target, [(week, week)]) is True
    assert period_met("weekly", week, Decimal("5.99"), target, [(week, week)]) is False
    assert period_met("weekly", week, Decimal("0"), target, [(date(2026, 11, 1), week)]) is False
    monthly = date(2026, 11, 1)
    # a pause crossing into the month: only its 15 November days lighten November
    crossing = [(date(2026, 10, 20), date(2026, 11, 15))]
    assert period_met("monthly", monthly, Decimal("3.50"), target, crossing) is True
    assert period_met("monthly", monthly, Decimal("3.49"), target, crossing) is False


def test_paused_until_follows_pauses_that_continue_each_other():
    first = (date(2026, 11, 9), date(2026, 11, 12))
    second = (date(2026, 11, 13), date(2026, 11, 20))
    assert paused_until([first, second], date(2026, 11, 10)) == date(2026, 11, 20)
    assert paused_until([first, second], date(2026, 11, 21)) is None


def test_the_goal_says_until_when_it_is_paused(api_client, user, make_goal):
    goal = make_goal(period="daily", target_value=Decimal("1"))
    today = user.local_now().date()

    response = api_client.post(
        f"/api/v1/goals/{goal.pk}/pause",
        {"from": today.isoformat(), "to": (today + timedelta(days=3)).isoformat()},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pause"]["from"] == today.isoformat()
    assert body["goal"]["paused_until"] == (today + timedelta(days=3)).isoformat()
    listed = api_client.get("/api/v1/goals").json()["results"][0]
    assert listed["paused_until"] == (today + timedelta(days=3)).isoformat()


# --- the endpoint -----------------------------------------------------------------------------


def test_pause_is_listed_under_the_goal(api_client, user, make_goal):
    goal = make_goal(period="weekly")
    today = user.local_now().date()
    pause(goal, today + timedelta(days=10), today + timedelta(days=12), reason="viaje")

    response = api_client.get(f"/api/v1/goals/{goal.pk}/pauses/")

    assert response.status_code == 200
    [listed] = response.json()["results"]
    assert (listed["reason"], listed["source"]) == ("viaje", "api")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "2026-13-01", "to": "2026-12-01"}, "from"),
        ({"to": "2026-12-01"}, "from"),
        ({"from": "+10", "to": "+5"}, "to"),  # to before from
        ({"from": "+0", "to": "+90"}, "to"),  # 91 days
        ({"from": "-31", "to": "-30"}, "from"),  # too far back
        ({"from": "+366", "to": "+367"}, "from"),  # too far ahead
        ({"from": "+0", "to": "+1", "reason": "x" * 201}, "reason"),
    ],
)
def test_bad_input_is_400_and_pauses_nothing(api_client, user, make_goal, body, field):
    goal = make_goal(period="daily")
    today = user.local_now().date()

    def day(value):
        if value.startswith(("+", "-")):
            return (today + timedelta(days=int(value))).isoformat()
        return value

    payload = {k: day(v) if k in ("from", "to") else v for k, v in body.items()}
    response = api_client.post(f"/api/v1/goals/{goal.pk}/pause", payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert not GoalPause.objects.exists()


def test_a_pause_of_90_days_is_fine(api_client, user, make_goal):
    goal = make_goal(period="daily")
    today = user.local_now().date()
    payload = {"from": today.isoformat(), "to": (today + timedelta(days=89)).isoformat()}

    assert api_client.post(f"/api/v1/goals/{goal.pk}/pause", payload).status_code == 201


def test_another_users_goal_is_404(api_client, other_user, make_goal):
    goal = make_goal(owner=other_user, period="daily")
    today = other_user.local_now().date().isoformat()

    response = api_client.post(f"/api/v1/goals/{goal.pk}/pause", {"from": today, "to": today})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api_client.get(f"/api/v1/goals/{goal.pk}/pauses").status_code == 404
    theirs = pause(goal, date.fromisoformat(today), date.fromisoformat(today))
    assert api_client.delete(f"/api/v1/goals/{goal.pk}/pauses/{theirs.pk}").status_code == 404
    assert GoalPause.objects.filter(pk=theirs.pk).exists()


def test_another_goals_pause_is_404(api_client, user, make_goal):
    mine, other = make_goal(period="daily"), make_goal(period="daily", title="Otra")
    today = user.local_now().date()
    theirs = pause(other, today, today)

    response = api_client.delete(f"/api/v1/goals/{mine.pk}/pauses/{theirs.pk}")

    assert response.status_code == 404
    assert api_client.delete(f"/api/v1/goals/{mine.pk}/pauses/not-a-uuid").status_code == 404


def test_an_archived_goal_is_409(api_client, user, make_goal):
    from goals.services import goal_update

    goal = make_goal(period="daily")
    goal_update(user=user, goal=goal, source="api", status="archived")
    today = user.local_now().date().isoformat()

    response = api_client.post(f"/api/v1/goals/{goal.pk}/pause", {"from": today, "to": today})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "goal_archived"


def test_a_goal_without_a_period_is_409(api_client, user, make_goal):
    goal = make_goal()
    today = user.local_now().date().isoformat()

    response = api_client.post(f"/api/v1/goals/{goal.pk}/pause", {"from": today, "to": today})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "goal_not_periodic"


def test_overlapping_pauses_are_409(api_client, user, make_goal):
    goal = make_goal(period="daily")
    today = user.local_now().date()
    pause(goal, today, today + timedelta(days=5))
    payload = {"from": (today + timedelta(days=5)).isoformat(), "to": (today + timedelta(9))}

    response = api_client.post(f"/api/v1/goals/{goal.pk}/pause", payload, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "goal_pause_overlap"
    assert GoalPause.objects.count() == 1


# --- ending a pause early ---------------------------------------------------------------------


def test_ending_a_pause_under_way_keeps_the_days_already_paused(api_client, user, make_goal):
    goal = make_goal(period="daily")
    today = user.local_now().date()
    running = pause(goal, today - timedelta(days=3), today + timedelta(days=3))

    response = api_client.delete(f"/api/v1/goals/{goal.pk}/pauses/{running.pk}")

    assert response.status_code == 200, response.content
    assert response.json()["pause"]["to"] == (today - timedelta(days=1)).isoformat()
    assert response.json()["goal"]["paused_until"] is None
    running.refresh_from_db()
    assert running.date_to == today - timedelta(days=1)


def test_ending_a_pause_not_begun_removes_it(api_client, user, make_goal):
    goal = make_goal(period="daily")
    today = user.local_now().date()
    ahead = pause(goal, today + timedelta(days=2), today + timedelta(days=3))

    response = api_client.delete(f"/api/v1/goals/{goal.pk}/pauses/{ahead.pk}/")

    assert response.status_code == 200
    assert response.json()["pause"] is None
    assert not GoalPause.objects.exists()


def test_a_pause_already_over_cannot_be_ended(api_client, user, make_goal):
    goal = make_goal(period="daily")
    today = user.local_now().date()
    over = pause(goal, today - timedelta(days=5), today - timedelta(days=2))

    response = api_client.delete(f"/api/v1/goals/{goal.pk}/pauses/{over.pk}")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "goal_pause_over"


def test_pausing_announces_the_goal(user, make_goal, listen, django_capture_on_commit_callbacks):
    goal = make_goal(period="daily")
    listener = listen(user)
    today = user.local_now().date()

    with django_capture_on_commit_callbacks(execute=True):
        pause(goal, today, today)

    [frame] = [f for f in listener.frames() if f["type"] == "goal.updated"]
    assert frame["goal"]["paused_until"] == today.isoformat()


def test_stats_of_a_page_read_pauses_in_one_query(user, make_goal, django_assert_num_queries):
    from goals.selectors import goal_list, goal_stats_many

    today = user.local_now().date()
    for n in range(3):
        goal = make_goal(period="daily", title=f"G{n}")
        pause(goal, today, today)
    goals = list(goal_list(user=user))

    with django_assert_num_queries(2):  # sums, pauses
        stats = goal_stats_many(goals, user=user)

    assert {s.paused_until for s in stats.values()} == {today}
    once = make_goal(title="Sin periodo")
    with django_assert_num_queries(1):  # no periodic goal: no query for pauses
        goal_stats_many([once], user=user)
