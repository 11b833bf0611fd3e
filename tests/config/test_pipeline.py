"""config/pipeline.py: statements inside `pipeline()` travel together (psycopg's pipeline mode)
and keep the transaction's all-or-nothing; elsewhere it changes nothing."""

import pytest
from django.db import IntegrityError, connection, transaction

from config.pipeline import in_pipeline, pipeline
from config.sql import update_fields
from tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


def _pipeline_on() -> bool:
    return connection.vendor == "postgresql" and connection.connection.pgconn.pipeline_status != 0


def test_the_block_runs_in_pipeline_mode_on_postgresql_only():
    with pipeline():
        assert in_pipeline() == (connection.vendor == "postgresql")
        assert _pipeline_on() == (connection.vendor == "postgresql")
        with pipeline():  # nested: still the same pipeline
            assert in_pipeline() == (connection.vendor == "postgresql")
        assert in_pipeline() == (connection.vendor == "postgresql")
    assert not in_pipeline()
    assert not _pipeline_on()


def test_an_error_at_commit_rolls_the_whole_block_back(user):
    first, second, third = (Task.objects.create(user=user, title=t) for t in ("Uno", "Dos", "Tres"))
    first.title = "Cambiado"
    second.status, second.running_since = "in_progress", second.created_at
    third.status, third.running_since = "in_progress", third.created_at

    with pytest.raises(IntegrityError), pipeline(), transaction.atomic():
        update_fields(first, ["title"])
        update_fields(second, ["status", "running_since"])
        update_fields(third, ["status", "running_since"])  # a second running task: refused

    assert Task.objects.get(pk=first.pk).title == "Uno"
    assert Task.objects.get(pk=second.pk).status == "pending"
    # The connection is usable afterwards, out of pipeline mode.
    assert not _pipeline_on()
    assert Task.objects.filter(user=user).count() == 3
