"""config/sql.py: statements written once give the instances and values the ORM gives."""

import pytest

from accounts.authentication import user_by_id
from accounts.models import User
from config.exceptions import NotFound
from config.sql import Statement
from tasks.models import Task
from tasks.selectors import task_row
from tasks.services.common import _task_lock, locked_tasks

pytestmark = pytest.mark.django_db


def test_the_user_row_is_the_orm_instance(user):
    user.preferences = {"reminders": True}
    user.save()

    read = user_by_id(user.pk)

    orm = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
    assert read._state.adding is False
    assert user_by_id("00000000-0000-0000-0000-000000000000") is None


def test_a_locked_task_comes_with_its_category_or_none(user, make_task, make_category):
    category = make_category(user, name="Casa")
    with_category = make_task(user, title="con", category=category)
    without = make_task(user, title="sin")

    (first,) = locked_tasks(_task_lock, task_id=with_category.pk, user_id=user.pk)
    (second,) = locked_tasks(_task_lock, task_id=without.pk, user_id=user.pk)

    assert first == with_category and first.category.name == "Casa"
    assert first.created_at == Task.objects.get(pk=with_category.pk).created_at
    assert second.category is None and second.category_id is None


def test_another_users_task_is_not_read(user, other_user, make_task):
    task = make_task(other_user, title="ajena")

    assert locked_tasks(_task_lock, task_id=task.pk, user_id=user.pk) == []
    with pytest.raises(NotFound):
        task_row(user=user, task_id=task.pk)


def test_a_statement_is_built_once_per_vendor():
    built = []

    def build(connection):
        built.append(connection.vendor)
        return "SELECT 1", []

    statement = Statement(build)
    assert [list(row) for row in statement.rows([])] == [[1]]
    assert [list(row) for row in statement.rows([])] == [[1]]

    assert len(built) == 1
