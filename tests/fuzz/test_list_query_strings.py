"""Every list's query string, fuzzed from the OpenAPI document: no answer is a 5xx.

schemathesis reads the schema /api/v1/schema serves (built here in-process), and for each GET
operation that takes query parameters (the paginated lists, the check-in stats, the time report,
a summary) sends its boundary cases (valid and invalid values, unknown parameters) and then
FUZZ_EXAMPLES generated query strings (100 unless told). Each goes through the WSGI application
the http role serves with the user's token, against the
user's own rows: a path's `{id}` is the user's task or goal, so the lists under an id are fuzzed
too, not answered 404.

`make fuzz` runs this file alone, with new examples each time; it is also part of the suite,
with the same examples each time (about a minute on 2 cores).
"""

import json
import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from config.wsgi import application
from tests.conftest import access_token_for

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
# The suite draws the same examples every run (no flaky failures); `make fuzz` draws new ones
# each time (FUZZ_RANDOM=1; a failure prints the seed to run it again with --hypothesis-seed).
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"


def _document() -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def _takes_query(ctx) -> bool:
    parameters = ctx.operation.definition.raw.get("parameters", [])
    return ctx.operation.method.upper() == "GET" and any(p.get("in") == "query" for p in parameters)


schema = schemathesis.openapi.from_dict(_document()).include(_takes_query)


@pytest.fixture
def keep_the_test_connection():
    """As Django's test client does: the handler's request signals would close the connection
    that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def rows(user, settings, keep_the_test_connection):
    """The user's own rows, for the paths with an id; no per-user throttle in the way."""
    from goals.models import Goal
    from tasks.models import Task, TaskEvent

    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": None}
    task = Task.objects.create(user=user, title="Escribir")
    TaskEvent.objects.create(task=task, user=user, type="created", source="api")
    goal = Goal.objects.create(
        user=user, title="Correr", target_value=10, unit="km", start_date=timezone.localdate()
    )
    goal.progress.create(user=user, value=1, recorded_at=timezone.now() - timedelta(hours=1))
    return {"token": access_token_for(user), "task": str(task.pk), "goal": str(goal.pk)}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not RANDOM,
)
def test_no_query_string_makes_a_list_answer_5xx(case, rows):
    if "id" in case.path_parameters:
        case.path_parameters["id"] = rows["goal" if "/goals/" in case.path else "task"]
    # Each request alone: a database error must not poison the next examples' queries (the
    # test's one transaction), or shrinking would blame an innocent query string.
    savepoint = transaction.savepoint_create()
    try:
        response = case.call(
            app=application,
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {rows['token']}"},
        )
    finally:
        transaction.savepoint_rollback(savepoint)

    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
