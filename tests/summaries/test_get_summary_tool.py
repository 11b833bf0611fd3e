"""The assistant's get_summary tool: the stored summary when there is one, else live stats."""

from datetime import timedelta

import pytest

from summaries import services
from summaries.tools import get_summary
from tasks import services as task_services
from tests.summaries.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_model(settings):
    settings.OPENAI_API_KEY = ""


def test_a_stored_summary_is_answered_with_its_text(user):
    day = user.local_now().date() - timedelta(days=1)
    stored, _ = services.summary_generate(user=user, day=day, source="schedule")
    # Work logged after the summary was written is not in the stored answer.
    task = task_services.task_create(user=user, source="api", title="Tarde")
    task_services.task_log_time(
        user=user, task=task, started_at=at(user, day, 9), ended_at=at(user, day, 10), source="api"
    )

    summary = get_summary(user=user, date=day.isoformat())["summary"]

    assert summary["stored"] is True
    assert summary["text"] == stored.text
    assert summary["date"] == day.isoformat()
    assert summary["tracked_seconds"]["total"] == 0


def test_without_a_stored_summary_the_figures_are_computed_now(user, other_user):
    day = user.local_now().date()
    services.summary_generate(user=other_user, day=other_user.local_now().date(), source="request")
    task = task_services.task_create(user=user, source="api", title="Informe")
    task_services.task_complete(user=user, task=task, source="api")

    summary = get_summary(user=user)["summary"]

    assert summary["stored"] is False
    assert summary["text"] is None
    assert summary["date"] == day.isoformat()
    assert summary["tasks"] == {"created": 1, "completed": 1}
    assert summary["baseline"]["days"] == 7
