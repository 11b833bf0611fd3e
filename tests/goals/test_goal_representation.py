"""Goals, their progress and check-ins are written out by hand (goals/realtime.py,
checkins/realtime.py), once for the REST answer and the live update alike; the output must
say exactly what the serializers' declared fields say."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from checkins.serializers import CheckInSerializer
from checkins.services import checkin_create
from goals.selectors import goal_get, goal_stats
from goals.serializers import GoalProgressSerializer, GoalSerializer

pytestmark = pytest.mark.django_db


def same(written: dict, declared: dict) -> bool:
    """Equal and in the same order: the JSON of the two is the same to the byte."""
    return list(written.items()) == list(declared.items())


def declared_goal_output(goal) -> dict:
    goal.computed = goal_stats(goal, user=goal.user)
    try:
        return serializers.ModelSerializer.to_representation(GoalSerializer(), goal)
    finally:
        del goal.computed


def test_goals_render_like_their_declared_fields(user, category, make_goal, log):
    plain = make_goal(title="Leer", target_value=Decimal("12.5"), unit="libros")
    weekly = make_goal(
        title="Correr",
        period="weekly",
        category=category,
        due_date=timezone.localdate() + timedelta(days=30),
    )
    done = make_goal(title="Hecho", target_value=Decimal("1"))
    log(weekly, "3.25")
    log(done, "1")
    for goal in (plain, weekly, done):
        goal = goal_get(user=user, goal_id=goal.pk)
        assert same(GoalSerializer(goal, context={"user": user}).data, declared_goal_output(goal))


def test_progress_and_checkins_render_like_their_declared_fields(user, make_goal, log):
    progress = log(make_goal(), "-1.5")
    declared = serializers.ModelSerializer.to_representation(GoalProgressSerializer(), progress)
    assert same(GoalProgressSerializer(progress).data, declared)
    checkin = checkin_create(user=user, source="assistant", mood=2, energy=5, note="¡Bien!")
    declared = serializers.ModelSerializer.to_representation(CheckInSerializer(), checkin)
    assert same(CheckInSerializer(checkin).data, declared)


def test_summaries_render_like_their_declared_fields(user):
    from summaries.serializers import DailySummarySerializer
    from summaries.services import summary_generate

    summary, _ = summary_generate(user=user, day=timezone.localdate(), source="request")
    for instance in (summary, type(summary).objects.get(pk=summary.pk)):
        declared = serializers.ModelSerializer.to_representation(DailySummarySerializer(), instance)
        assert same(DailySummarySerializer(instance).data, declared)
