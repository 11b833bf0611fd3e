"""The HTTP edge of the logs: a request id in and out, every line of the request carrying it,
and one access line per request naming its route, never its path."""

import re
import uuid

import pytest
from channels.testing import HttpCommunicator

from config.asgi import application
from config.observability import context
from tasks import services as task_services

pytestmark = pytest.mark.django_db

NEW_ID = re.compile(r"[0-9a-f]{32}")


def access_lines(logs) -> list[dict]:
    return logs.where(logger="access")


def test_a_request_gets_an_id_returned_in_its_response_and_one_access_line(
    api_client, user, json_logs
):
    response = api_client.get("/api/v1/auth/me")

    assert response.status_code == 200
    request_id = response["X-Request-Id"]
    assert NEW_ID.fullmatch(request_id)
    [line] = access_lines(json_logs)
    assert list(line)[:5] == ["time", "level", "role", "logger", "message"]
    assert {key: value for key, value in line.items() if key not in {"time", "duration_ms"}} == {
        "level": "INFO",
        "role": "http",
        "logger": "access",
        "message": f"GET auth-me 200 {line['duration_ms']:.1f}ms",
        "request_id": request_id,
        "user_id": str(user.pk),
        "route": "auth-me",
        "method": "GET",
        "status": 200,
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


def test_each_request_gets_its_own_id(api_client, json_logs):
    first = api_client.get("/api/v1/auth/me")["X-Request-Id"]
    second = api_client.get("/api/v1/auth/me")["X-Request-Id"]

    assert first != second
    assert [line["request_id"] for line in access_lines(json_logs)] == [first, second]


@pytest.mark.parametrize(
    "incoming", ["0f8fa3c1-2b4e-4c7d-9a51-3c0e8d2f6b7a", "trace.abc:1-2_3", "a" * 128]
)
def test_a_safe_incoming_request_id_is_kept(anon_client, json_logs, incoming):
    response = anon_client.get("/api/v1/auth/me", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-Id"] == incoming
    assert access_lines(json_logs)[0]["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "a" * 129, "two words", "line\nbreak", 'quo"te', "-leading-dash", "ñandú", "<script>"],
)
def test_an_unsafe_incoming_request_id_is_replaced_by_a_new_one(anon_client, json_logs, incoming):
    response = anon_client.get("/api/v1/auth/me", HTTP_X_REQUEST_ID=incoming)

    assert NEW_ID.fullmatch(response["X-Request-Id"])
    assert access_lines(json_logs)[0]["request_id"] == response["X-Request-Id"]


def test_every_line_of_a_request_carries_its_request_id_and_user_id(api_client, user, json_logs):
    task = task_services.task_create(user=user, source="api", title="Informe")

    response = api_client.delete(f"/api/v1/tasks/{task.pk}", HTTP_X_REQUEST_ID="req-delete-1")

    assert response.status_code == 204
    [deleted] = json_logs.where(logger="tasks.services")
    assert "deleted" in deleted["message"]
    assert (deleted["request_id"], deleted["user_id"]) == ("req-delete-1", str(user.pk))
    assert access_lines(json_logs)[-1]["request_id"] == "req-delete-1"


def test_the_access_line_names_the_route_never_the_path_with_its_ids(api_client, user, json_logs):
    task = task_services.task_create(user=user, source="api", title="Informe")
    missing = uuid.uuid4()

    api_client.get(f"/api/v1/tasks/{task.pk}")
    api_client.post(f"/api/v1/tasks/{task.pk}/start")
    api_client.get(f"/api/v1/tasks/{missing}")
    api_client.get("/nothing/here/42")

    lines = access_lines(json_logs)
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "task-detail", 200),
        ("POST", "task-start", 200),
        ("GET", "task-detail", 404),
        ("GET", "unmatched", 404),
    ]
    text = json_logs.text
    assert str(task.pk) not in text
    assert str(missing) not in text
    assert "/nothing/here" not in text


def test_a_request_refused_before_routing_is_logged_with_its_route(api_client, json_logs):
    # The body guard answers before URL resolution: the line still names the route.
    response = api_client.generic(
        "POST", "/api/v1/tasks", b"", content_type="application/json", CONTENT_LENGTH="99999999"
    )

    assert response.status_code == 413
    [line] = access_lines(json_logs)
    assert (line["route"], line["status"]) == ("task-list", 413)
    assert line["request_id"] == response["X-Request-Id"]


def test_successful_health_probes_are_not_logged_but_still_get_an_id(anon_client, json_logs):
    response = anon_client.get("/health")

    assert response.status_code == 200
    assert NEW_ID.fullmatch(response["X-Request-Id"])
    assert access_lines(json_logs) == []


def test_a_failing_health_probe_is_logged(anon_client, json_logs, settings, tmp_path):
    drain = tmp_path / "draining"
    drain.touch()
    settings.HEALTH_DRAIN_FILE = str(drain)

    assert anon_client.get("/health").status_code == 503

    [line] = access_lines(json_logs)
    assert (line["route"], line["status"]) == ("health", 503)


def test_nothing_of_a_request_stays_bound_after_it(api_client, json_logs):
    api_client.get("/api/v1/auth/me")

    assert context.current() == {}


def test_the_assistants_lines_in_a_rest_turn_carry_the_request_id(
    api_client, user, json_logs, fake_openai
):
    # The turn runs on an event loop (async_to_sync): the id crosses over with it.
    fake_openai.add_http_error(500, "upstream broke")

    response = api_client.post(
        "/api/v1/chat/message", {"content": "hola"}, format="json", HTTP_X_REQUEST_ID="req-turn-1"
    )

    assert response.status_code == 502
    [model_error] = json_logs.where(logger="chat.agent")
    assert (model_error["request_id"], model_error["user_id"]) == ("req-turn-1", str(user.pk))


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_request_through_the_asgi_application_gets_its_id_and_access_line(
    token, user, json_logs
):
    # The ws role serves HTTP too (the assistant's turns): Daphne runs the same middleware.
    communicator = HttpCommunicator(
        application,
        "GET",
        "/api/v1/auth/me",
        headers=[
            (b"host", b"localhost"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"x-request-id", b"req-asgi-1"),
        ],
    )
    response = await communicator.get_response(timeout=10)

    assert response["status"] == 200
    assert (b"X-Request-Id", b"req-asgi-1") in response["headers"]
    [line] = access_lines(json_logs)
    assert (line["request_id"], line["user_id"], line["route"]) == (
        "req-asgi-1",
        str(user.pk),
        "auth-me",
    )
