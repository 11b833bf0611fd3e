"""The database's own guarantees, independent of the services."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tasks.models import Task, TaskEvent

pytestmark = pytest.mark.django_db


def test_two_running_tasks_of_one_user_are_refused_by_the_database(user, make_task):
    first, second = make_task(user, title="one"), make_task(user, title="two")
    now = timezone.now()
    Task.objects.filter(pk=first.pk).update(status="in_progress", running_since=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=second.pk).update(status="in_progress", running_since=now)


def test_running_tasks_of_different_users_are_allowed(user, other_user, make_task):
    mine, theirs = make_task(user), make_task(other_user)
    now = timezone.now()
    Task.objects.filter(pk__in=[mine.pk, theirs.pk]).update(status="in_progress", running_since=now)
    assert Task.objects.filter(running_since__isnull=False).count() == 2


def test_running_since_must_match_the_in_progress_status(user, make_task):
    task = make_task(user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(running_since=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status="in_progress")


def test_completed_status_requires_completed_at(user, make_task):
    task = make_task(user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status="completed")


def test_unknown_priority_is_refused_by_the_database(user, make_task):
    task = make_task(user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(priority="urgent")


def test_a_segment_must_end_after_it_starts(user, make_task):
    task = make_task(user)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskEvent.objects.create(
            task=task,
            user=user,
            type="time_logged",
            source="api",
            segment_start=now,
            segment_end=now - timedelta(seconds=1),
            duration_seconds=0,
        )


def test_a_segment_needs_its_duration(user, make_task):
    task = make_task(user)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskEvent.objects.create(
            task=task, user=user, type="paused", source="api", segment_start=now, segment_end=now
        )
