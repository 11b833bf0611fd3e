"""summaries.services.summary_generate: stats, text (model or template), upsert, live update."""

from datetime import timedelta

import pytest

from summaries import services, tasks
from summaries.models import DailySummary
from tasks import services as task_services
from tests.summaries.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_day(user):
    """Yesterday in Madrid: one task created and completed, 90 minutes tracked."""
    day = user.local_now().date() - timedelta(days=1)
    task = task_services.task_create(user=user, source="api", title="Informe")
    task_services.task_log_time(
        user=user,
        task=task,
        started_at=at(user, day, 9),
        ended_at=at(user, day, 10, 30),
        source="api",
    )
    return day


def test_without_a_model_the_template_writes_the_text(user, busy_day, settings):
    settings.OPENAI_API_KEY = ""

    summary, created = services.summary_generate(user=user, day=busy_day, source="request")

    assert created is True
    assert summary.model is None
    assert summary.language == "es"
    assert summary.stats["tracked_seconds"]["total"] == 5400
    assert "Registraste 1h 30m de trabajo" in summary.text
    assert summary.llm_error == ""
    assert summary.source == "request"


def test_with_a_model_the_text_is_the_models_grounded_in_the_stats(user, busy_day, fake_openai):
    fake_openai.add_text("Ayer trabajaste ", "hora y media en el informe.", usage=(321, 23))

    summary, _ = services.summary_generate(user=user, day=busy_day, source="schedule")

    assert summary.text == "Ayer trabajaste hora y media en el informe."
    assert summary.model == "fake-model"
    assert (summary.prompt_tokens, summary.completion_tokens) == (321, 23)
    request = fake_openai.requests[0]
    assert "español" in request.system_prompt
    assert "no inventes" in request.system_prompt
    # The figures, and nothing but the figures, go to the model.
    assert '"total": 5400' in request.messages[1]["content"]
    assert request.tools == []


def test_english_users_get_english_from_the_model_too(make_user, fake_openai):
    person = make_user(language="en", timezone="America/New_York")
    fake_openai.add_text("A quiet day.")

    summary, _ = services.summary_generate(
        user=person, day=person.local_now().date(), source="request"
    )

    assert summary.language == "en"
    assert "English" in fake_openai.requests[0].system_prompt


def test_a_model_failure_keeps_the_stats_and_falls_back_to_the_template(
    user, busy_day, fake_openai
):
    fake_openai.add_http_error(500)

    summary, created = services.summary_generate(user=user, day=busy_day, source="schedule")

    assert created is True
    assert summary.stats["tracked_seconds"]["total"] == 5400
    assert summary.text.startswith("No completaste ni creaste tareas. Registraste 1h 30m")
    assert summary.model is None
    assert summary.llm_error == "llm_error"
    assert summary.llm_failures == 1


def test_the_next_sweep_asks_the_model_again_after_a_failure(user, fake_openai):
    user.preferences = {"summary_hour": 0}
    user.save()
    fake_openai.add_stream_error("overloaded")
    first = tasks.sweep_due_summaries.call()
    summary = DailySummary.objects.get(user=user)
    assert (first["due"], summary.llm_failures, summary.model) == (1, 1, None)

    fake_openai.add_text("Un día tranquilo.")
    second = tasks.sweep_due_summaries.call()

    summary.refresh_from_db()
    assert second["due"] == 1
    assert (summary.text, summary.model) == ("Un día tranquilo.", "fake-model")
    assert summary.llm_failures == 0
    # Done: the third sweep leaves it alone (and would fail on an unscripted request if not).
    assert tasks.sweep_due_summaries.call()["due"] == 0


def test_the_model_is_tried_at_most_three_times(user, fake_openai):
    user.preferences = {"summary_hour": 0}
    user.save()
    for _ in range(services.MAX_LLM_FAILURES):
        fake_openai.add_http_error(503)
        assert tasks.sweep_due_summaries.call()["due"] == 1

    assert tasks.sweep_due_summaries.call()["due"] == 0
    summary = DailySummary.objects.get(user=user)
    assert summary.llm_failures == services.MAX_LLM_FAILURES
    assert summary.text  # the template's


def test_generating_again_replaces_the_days_summary(user, busy_day, settings):
    settings.OPENAI_API_KEY = ""
    first, created = services.summary_generate(user=user, day=busy_day, source="schedule")
    task = task_services.task_create(user=user, source="api", title="Otra")
    task_services.task_log_time(
        user=user,
        task=task,
        started_at=at(user, busy_day, 12),
        ended_at=at(user, busy_day, 13),
        source="api",
    )

    second, created_again = services.summary_generate(user=user, day=busy_day, source="admin")

    assert (created, created_again) == (True, False)
    assert second.pk == first.pk
    assert DailySummary.objects.filter(user=user).count() == 1
    stored = DailySummary.objects.get(pk=first.pk)
    assert stored.stats["tracked_seconds"]["total"] == 5400 + 3600
    assert stored.source == "admin"
    assert stored.generated_at > first.generated_at


def test_a_new_summary_is_announced_to_the_users_sockets(
    user, busy_day, settings, inbox, django_capture_on_commit_callbacks
):
    settings.OPENAI_API_KEY = ""
    with django_capture_on_commit_callbacks(execute=True):
        summary, _ = services.summary_generate(user=user, day=busy_day, source="request")
        services.summary_generate(user=user, day=busy_day, source="request")

    frames = inbox.read()
    assert [frame["type"] for frame in frames] == ["summary.created", "summary.updated"]
    assert frames[0]["summary"]["id"] == str(summary.pk)
    assert frames[0]["summary"]["date"] == busy_day.isoformat()
    assert frames[0]["summary"]["text"] == summary.text
    assert frames[0]["source"] == "request"


def test_nothing_is_announced_when_the_transaction_rolls_back(
    user, busy_day, settings, inbox, django_capture_on_commit_callbacks
):
    settings.OPENAI_API_KEY = ""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.summary_generate(user=user, day=busy_day, source="request")
    assert inbox.read() == []
    assert len(callbacks) == 1
