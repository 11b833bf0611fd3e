"""PreparedQuery runs the ORM's own SQL with new ids, without compiling it again."""

import threading
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from config.prepared import PreparedQuery
from tasks import services
from tasks.models import Task

pytestmark = pytest.mark.django_db

by_id = PreparedQuery(lambda user_id: User.objects.filter(pk=user_id))
titles = PreparedQuery(
    lambda user_id: Task.objects.filter(user_id=user_id).order_by("title").values_list("title")
)


def test_first_returns_the_model_instance_the_orm_would(user, other_user):
    for someone in (user, other_user):
        found = by_id.first(user_id=someone.pk)
        expected = User.objects.get(pk=someone.pk)
        assert found == expected
        for field in User._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname)
        assert found.get_deferred_fields() == set()


def test_an_unknown_id_is_none():
    assert by_id.first(user_id=uuid.uuid4()) is None


def test_rows_run_the_same_sql_with_new_values_and_a_suffix(user, other_user):
    for n in range(3):
        services.task_create(user=user, source="api", title=f"t{n}")
    services.task_create(user=other_user, source="api", title="not hers")

    rows = titles.rows(user_id=user.pk, suffix=" LIMIT %s OFFSET %s", extra=[2, 1])

    assert [row[0] for row in rows] == ["t1", "t2"]
    with CaptureQueriesContext(connection) as queries:
        assert [row[0] for row in titles.rows(user_id=other_user.pk)] == ["not hers"]
    assert len(queries) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_for_its_own_connection(user):
    assert by_id.first(user_id=user.pk) is not None  # compiled here, for this thread
    results = []

    def read():
        try:
            results.append(by_id.first(user_id=user.pk) == user)
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert results == [True]


def test_a_placeholder_the_query_does_not_use_is_refused():
    unused = PreparedQuery(lambda user_id: User.objects.all())
    with pytest.raises(ValueError, match="user_id"):
        unused.first(user_id=uuid.uuid4())


def test_all_builds_instances_with_their_select_related_rows(user):
    category = services.category_create(user=user, name="Trabajo")
    with_category = services.task_create(user=user, source="api", title="a", category=category)
    services.task_create(user=user, source="api", title="b")
    query = PreparedQuery(
        lambda user_id: Task.objects.select_related("category").filter(user_id=user_id)
    )
    with CaptureQueriesContext(connection) as queries:
        found = {task.title: task for task in query.all(user_id=user.pk)}
        assert found["a"].category == category
        assert found["a"].category.name == "Trabajo"
        assert found["b"].category is None
    assert len(queries) == 1
    assert found["a"] == with_category


def test_update_fields_writes_what_save_would_and_touches_updated_at(user):
    from config.prepared import update_fields

    task = services.task_create(user=user, source="api", title="before")
    stamp = task.updated_at
    task.title, task.tracked_seconds, task.description = "after", 42, "not saved"

    update_fields(task, ["title", "tracked_seconds"])

    stored = Task.objects.get(pk=task.pk)
    assert (stored.title, stored.tracked_seconds, stored.description) == ("after", 42, "")
    assert stored.updated_at == task.updated_at > stamp


def test_update_fields_of_a_row_that_is_gone_is_an_error(user):
    from django.db import DatabaseError

    from config.prepared import update_fields

    ghost = Task(user=user, title="never saved")
    with pytest.raises(DatabaseError):
        update_fields(ghost, ["title"])


def test_insert_all_stores_every_row_in_one_statement(user):
    from config.prepared import insert_all
    from tasks.models import TaskEvent

    task = services.task_create(user=user, source="api", title="t")
    events = [
        TaskEvent(task=task, user_id=user.pk, type="paused", source="api", data={"n": n})
        for n in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_all(events)
    assert len(queries) == 1
    stored = TaskEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("data__n")
    assert [e.data for e in stored] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert not events[0]._state.adding
