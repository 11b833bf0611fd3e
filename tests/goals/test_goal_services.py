"""goal_create / goal_update / goal_delete / goal_log_progress: achievement and archiving."""

from decimal import Decimal

import pytest

from config.exceptions import DomainError
from goals.errors import GoalArchived
from goals.models import Goal, GoalProgress
from goals.services import goal_delete, goal_log_progress, goal_update

pytestmark = pytest.mark.django_db


def test_goal_is_achieved_when_progress_reaches_the_target(make_goal, log):
    goal = make_goal(target_value=Decimal("10"))
    log(goal, 6)
    goal.refresh_from_db()
    assert goal.status == "active"
    assert goal.achieved_at is None

    progress = log(goal, 4)

    goal.refresh_from_db()
    assert goal.status == "achieved"
    assert goal.achieved_at is not None
    assert progress.goal.status == "achieved"


def test_negative_correction_below_target_returns_goal_to_active(make_goal, log):
    goal = make_goal(target_value=Decimal("10"))
    log(goal, 12)

    log(goal, "-2.01")

    goal.refresh_from_db()
    assert goal.status == "active"
    assert goal.achieved_at is None


def test_more_progress_on_an_achieved_goal_keeps_the_first_achievement_time(make_goal, log):
    goal = make_goal(target_value=Decimal("1"))
    log(goal, 1)
    goal.refresh_from_db()
    first = goal.achieved_at

    log(goal, 3)

    goal.refresh_from_db()
    assert goal.achieved_at == first


def test_periodic_goals_are_never_marked_achieved(make_goal, log):
    goal = make_goal(period="daily", target_value=Decimal("1"))

    log(goal, 5)

    goal.refresh_from_db()
    assert goal.status == "active"


def test_progress_on_archived_goal_is_goal_archived_and_stores_nothing(user, make_goal, log):
    goal = make_goal()
    goal_update(user=user, goal=goal, source="api", status="archived")

    with pytest.raises(GoalArchived) as caught:
        log(goal, 1)

    assert caught.value.code == "goal_archived"
    assert caught.value.status_code == 409
    assert GoalProgress.objects.count() == 0


def test_raising_the_target_unachieves_and_lowering_it_achieves(user, make_goal, log):
    goal = make_goal(target_value=Decimal("10"))
    log(goal, 10)

    goal = goal_update(user=user, goal=goal, source="api", target_value=Decimal("15"))
    assert (goal.status, goal.achieved_at) == ("active", None)

    goal = goal_update(user=user, goal=goal, source="api", target_value=Decimal("8"))
    assert goal.status == "achieved"


def test_giving_an_achieved_goal_a_period_makes_it_active(user, make_goal, log):
    goal = make_goal(target_value=Decimal("1"))
    log(goal, 1)

    goal = goal_update(user=user, goal=goal, source="api", period="weekly")

    assert (goal.status, goal.achieved_at) == ("active", None)


def test_archived_goal_only_changes_together_with_unarchiving(user, make_goal, log):
    goal = make_goal(target_value=Decimal("5"))
    log(goal, 5)
    goal = goal_update(user=user, goal=goal, source="api", status="archived")
    assert goal.status == "archived"
    assert goal.achieved_at is not None  # the archive remembers it was achieved

    with pytest.raises(GoalArchived):
        goal_update(user=user, goal=goal, source="api", title="Otro")

    goal = goal_update(user=user, goal=goal, source="api", status="active", title="Otro")
    assert goal.title == "Otro"
    assert goal.status == "achieved"  # its total still meets the target


def test_unarchiving_a_goal_below_target_makes_it_active(user, make_goal, log):
    goal = make_goal(target_value=Decimal("5"))
    log(goal, 2)
    goal_update(user=user, goal=goal, source="api", status="archived")

    goal = goal_update(user=user, goal=goal, source="api", status="active")

    assert (goal.status, goal.achieved_at) == ("active", None)


def test_status_achieved_cannot_be_set_by_hand(user, make_goal):
    goal = make_goal()

    with pytest.raises(DomainError) as caught:
        goal_update(user=user, goal=goal, source="api", status="achieved")

    assert "status" in caught.value.fields


def test_services_refuse_another_users_goal(other_user, make_goal):
    goal = make_goal()

    with pytest.raises(DomainError) as caught:
        goal_log_progress(user=other_user, goal=goal, value=Decimal(1), source="api")
    assert caught.value.code == "not_found"
    with pytest.raises(DomainError):
        goal_delete(user=other_user, goal=goal, source="api")
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_service_refuses_another_users_category(other_category, make_goal):
    with pytest.raises(DomainError) as caught:
        make_goal(category=other_category)

    assert "category" in caught.value.fields
    assert not Goal.objects.exists()


def test_service_rejects_zero_and_oversized_progress(make_goal):
    goal = make_goal()
    for bad in ("0", "1000000.01", "0.001"):
        with pytest.raises(DomainError):
            goal_log_progress(user=goal.user, goal=goal, value=Decimal(bad), source="assistant")
    assert not GoalProgress.objects.exists()


def test_delete_removes_goal_and_its_progress(user, make_goal, log):
    goal = make_goal()
    log(goal, 1)

    goal_delete(user=user, goal=goal, source="api")

    assert not Goal.objects.exists()
    assert not GoalProgress.objects.exists()


def test_progress_records_its_source(make_goal):
    goal = make_goal()

    progress = goal_log_progress(user=goal.user, goal=goal, value=Decimal(2), source="assistant")

    assert progress.source == "assistant"
    with pytest.raises(ValueError):
        goal_log_progress(user=goal.user, goal=goal, value=Decimal(2), source="robot")


def test_changes_are_published_after_commit(
    user, make_goal, log, listen, django_capture_on_commit_callbacks
):
    listener = listen(user)
    with django_capture_on_commit_callbacks(execute=True):
        goal = make_goal(target_value=Decimal("2"))
        log(goal, 2)
        goal_update(user=user, goal=goal, source="assistant", title="Nuevo")
        goal_delete(user=user, goal=goal, source="api")

    frames = listener.frames()

    assert [f["type"] for f in frames] == [
        "goal.updated",
        "goal.updated",
        "goal.updated",
        "goal.deleted",
    ]
    assert frames[1]["goal"]["status"] == "achieved"
    assert frames[1]["goal"]["progress_percent"] == 100
    assert frames[1]["progress"]["value"] == "2.00"
    assert frames[2]["goal"]["title"] == "Nuevo"
    assert frames[2]["source"] == "assistant"
    assert frames[3]["goal_id"] == str(goal.pk)


def test_nothing_is_published_when_the_transaction_rolls_back(
    user, make_goal, listen, django_capture_on_commit_callbacks
):
    from django.db import transaction

    listener = listen(user)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            make_goal()
            raise RuntimeError("boom")

    assert listener.frames() == []
    assert not Goal.objects.exists()
