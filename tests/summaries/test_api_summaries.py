"""GET /api/v1/summaries, GET /api/v1/summaries/{date}, POST /api/v1/summaries/{date}/generate."""

from datetime import date, timedelta

import pytest

from summaries import tasks as jobs
from summaries.models import DailySummary
from tasks import services as task_services
from tests.summaries.conftest import at

pytestmark = pytest.mark.django_db

URL = "/api/v1/summaries"


@pytest.fixture(autouse=True)
def _no_model(settings):
    settings.OPENAI_API_KEY = ""


def stored(user, day, **fields):
    fields.setdefault("language", "es")
    fields.setdefault("source", "schedule")
    fields.setdefault("text", f"Resumen del {day}")
    fields.setdefault("stats", {"date": day.isoformat()})
    return DailySummary.objects.create(user=user, date=day, **fields)


@pytest.fixture
def week(user, other_user):
    days = [date(2026, 11, 20) + timedelta(days=i) for i in range(7)]
    for day in days:
        stored(user, day)
    stored(other_user, days[0], text="de otra persona")
    return days


def test_the_list_is_newest_first_and_only_yours(api_client, week):
    response = api_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert [row["date"] for row in body["results"]] == [d.isoformat() for d in reversed(week)]
    first = body["results"][0]
    assert set(first) == {
        "id",
        "date",
        "text",
        "language",
        "stats",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "source",
        "generated_at",
    }


@pytest.mark.parametrize("slash", ["", "/"])
def test_from_and_to_are_inclusive(api_client, week, slash):
    response = api_client.get(f"{URL}{slash}?from=2026-11-22&to=2026-11-24")

    assert [row["date"] for row in response.json()["results"]] == [
        "2026-11-24",
        "2026-11-23",
        "2026-11-22",
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-13-01", "from"), ("to=ayer", "to"), ("from=2026-11-25&to=2026-11-20", "to")],
)
def test_bad_filters_are_400(api_client, week, query, field):
    response = api_client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]


def test_the_list_costs_the_same_queries_for_one_row_or_many(
    api_client, user, django_assert_num_queries
):
    stored(user, date(2026, 11, 1))
    with django_assert_num_queries(2):  # the user, the page with its count
        assert api_client.get(URL).status_code == 200
    for i in range(2, 30):
        stored(user, date(2026, 11, i))
    with django_assert_num_queries(2):
        assert len(api_client.get(URL).json()["results"]) == 20


def test_one_days_summary(api_client, week):
    response = api_client.get(f"{URL}/2026-11-22")

    assert response.status_code == 200
    assert response.json()["text"] == "Resumen del 2026-11-22"
    assert response.json()["model"] is None


def test_a_day_without_a_summary_is_404(api_client, week):
    response = api_client.get(f"{URL}/2026-10-01/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_another_users_summary_is_404(other_client, user):
    stored(user, date(2026, 11, 3))

    for path in (f"{URL}/2026-11-03", f"{URL}/2026-11-03/"):
        response = other_client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert other_client.get(URL).json()["count"] == 0


def test_live_computes_the_day_without_storing(api_client, user):
    day = user.local_now().date() - timedelta(days=1)
    task = task_services.task_create(user=user, source="api", title="Informe")
    task_services.task_log_time(
        user=user, task=task, started_at=at(user, day, 9), ended_at=at(user, day, 10), source="api"
    )

    response = api_client.get(f"{URL}/{day.isoformat()}?live=1")

    assert response.status_code == 200
    body = response.json()
    assert body["live"] is True
    assert body["date"] == day.isoformat()
    assert body["stats"]["tracked_seconds"]["total"] == 3600
    assert not DailySummary.objects.exists()


@pytest.mark.parametrize("value", ["2026-02-30", "20261101", "mañana", "2026-1-1", "0000-01-01"])
def test_a_malformed_date_is_400_on_every_route(api_client, value):
    for response in (
        api_client.get(f"{URL}/{value}"),
        api_client.get(f"{URL}/{value}?live=1"),
        api_client.post(f"{URL}/{value}/generate"),
    ):
        assert response.status_code == 400, value
        assert response.json()["error"]["code"] == "validation_error"
        assert "date" in response.json()["error"]["fields"]
    assert not DailySummary.objects.exists()


def test_a_future_date_is_400(api_client, user):
    tomorrow = (user.local_now().date() + timedelta(days=1)).isoformat()

    assert api_client.post(f"{URL}/{tomorrow}/generate").status_code == 400
    response = api_client.get(f"{URL}/{tomorrow}?live=1")
    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]
    assert not DailySummary.objects.exists()


def test_a_bad_live_flag_is_400(api_client, user):
    today = user.local_now().date().isoformat()
    response = api_client.get(f"{URL}/{today}?live=quizás")
    assert response.status_code == 400
    assert "live" in response.json()["error"]["fields"]


@pytest.fixture
def database_backend(settings):
    """Jobs stored for the worker, as in production; none runs here."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def summary_jobs():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="summaries.tasks.generate_summary")


def test_generate_answers_202_and_the_job_writes_the_summary(
    api_client, user, django_capture_on_commit_callbacks
):
    """The immediate backend (development, tests) runs the job inside the request: the 202
    comes once it is written, and asking again queues (and writes) again."""
    day = user.local_now().date().isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        first = api_client.post(f"{URL}/{day}/generate")
    summary = DailySummary.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        second = api_client.post(f"{URL}/{day}/generate/")

    assert first.status_code == second.status_code == 202
    assert first.json() == {"date": day, "status": "queued", "replaces": False}
    assert second.json() == {"date": day, "status": "queued", "replaces": True}
    assert summary.source == "request"
    assert summary.text.startswith("Ese día no se registró actividad")
    assert list(DailySummary.objects.filter(user=user).values_list("pk", flat=True)) == [summary.pk]


def test_generate_queues_for_the_worker_and_never_twice_while_one_waits(
    api_client, user, database_backend, django_capture_on_commit_callbacks
):
    day = user.local_now().date()
    path = f"{URL}/{day.isoformat()}/generate"

    with django_capture_on_commit_callbacks(execute=True):
        first = api_client.post(path)
        second = api_client.post(path)

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json() == {"date": day.isoformat(), "status": "queued", "replaces": False}
    assert second.json() == {"date": day.isoformat(), "status": "already_queued", "replaces": False}
    assert not DailySummary.objects.exists()  # the worker writes it, not the request
    [job] = summary_jobs()
    assert job.args_kwargs["kwargs"] == {
        "user_id": str(user.pk),
        "day": day.isoformat(),
        "source": "request",
    }

    # The worker starts the job: from then on a request queues a job of its own.
    assert jobs.generate_summary.call(**job.args_kwargs["kwargs"]) == "generated"
    with django_capture_on_commit_callbacks(execute=True):
        third = api_client.post(path)

    assert third.json() == {"date": day.isoformat(), "status": "queued", "replaces": True}
    assert summary_jobs().count() == 2


def test_a_job_queued_for_one_day_does_not_hold_another_day_or_user(
    api_client, other_client, user, other_user, database_backend, django_capture_on_commit_callbacks
):
    today = user.local_now().date()
    yesterday = today - timedelta(days=1)
    # Yesterday of both: the two users' todays differ for an hour or two around midnight UTC,
    # and a day that is still to come in the other user's zone is refused.
    other_day = min(yesterday, other_user.local_now().date() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            api_client.post(f"{URL}/{today.isoformat()}/generate"),
            api_client.post(f"{URL}/{yesterday.isoformat()}/generate"),
            other_client.post(f"{URL}/{other_day.isoformat()}/generate"),
        ]

    assert [response.json()["status"] for response in responses] == ["queued"] * 3
    assert summary_jobs().count() == 3


def test_generate_writes_only_the_callers_summary(
    other_client, user, other_user, django_capture_on_commit_callbacks
):
    stored(user, date(2026, 11, 3), text="de Ana")

    with django_capture_on_commit_callbacks(execute=True):
        response = other_client.post(f"{URL}/2026-11-03/generate")

    assert response.status_code == 202
    assert response.json()["replaces"] is False  # Ana's summary of that day is not theirs
    assert DailySummary.objects.get(user=user).text == "de Ana"
    assert DailySummary.objects.get(user=other_user).source == "request"


def test_summaries_need_authentication(anon_client):
    assert anon_client.get(URL).status_code == 401
    assert anon_client.post(f"{URL}/2026-11-03/generate").status_code == 401


def test_the_404_speaks_the_users_language(api_client, make_user):
    from tests.conftest import access_token_for

    assert api_client.get(f"{URL}/2026-10-01").json()["error"]["message"] == (
        "No hay resumen de ese día."
    )
    english = make_user(language="en")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(english)}")
    assert api_client.get(f"{URL}/2026-10-01").json()["error"]["message"] == (
        "There is no summary of that day."
    )


def test_generating_is_throttled_per_user(
    api_client, other_client, user, settings, django_capture_on_commit_callbacks
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "summary_generate_user": "2/hour"}
    day = user.local_now().date().isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        codes = [api_client.post(f"{URL}/{day}/generate").status_code for _ in range(3)]

    assert codes == [202, 202, 429]
    assert api_client.post(f"{URL}/{day}/generate").json()["error"]["code"] == "throttled"
    # Reads are not throttled, and another user has their own allowance.
    assert api_client.get(f"{URL}/{day}").status_code == 200
    assert other_client.post(f"{URL}/2026-11-03/generate").status_code == 202


def test_the_schema_says_generate_answers_202_with_what_was_queued(anon_client):
    schema = anon_client.get("/api/v1/schema", {"format": "json"}).json()
    responses = schema["paths"]["/api/v1/summaries/{date}/generate"]["post"]["responses"]
    assert {"200", "201"}.isdisjoint(responses)
    ref = responses["202"]["content"]["application/json"]["schema"]["$ref"]
    queued = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(queued["properties"]) == {"date", "status", "replaces"}
    assert "already_queued" in queued["properties"]["status"]["description"]
