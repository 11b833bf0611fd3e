# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""PostgreSQL away, in this process: every path that needs the database answers 503
`service_unavailable` with Retry-After (DRF views, the fast task list outside DRF, the admin),
sockets get an error frame instead of dying, and everything works again once it is back.

The database is taken away at the socket level (a TCP proxy that the test cuts); nothing of
ours is mocked. The same on real servers: test_servers.py.
"""

import pytest
from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.test import Client

from tasks import services
from tasks.models import Task, TaskEvent
from tests.config.conftest import error_of
from tests.conftest import PASSWORD
from tests.ws.client import communicator, open_ready, receive, receive_close, receive_until
from tests.ws.fixtures import token  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UNAVAILABLE_ES = (
    "El servicio no está disponible en este momento. Vuelve a intentarlo en unos segundos."
)
UNAVAILABLE_EN = "The service is temporarily unavailable. Try again shortly."


def restore(proxy) -> None:
    """The database is back. Then what a server does at the end of every request, which
    Django's test client and channels' communicator leave out: a connection that broke is
    closed, so the next query opens a new one (test_servers.py shows it on real servers)."""
    proxy.start()
    close_old_connections()


async def arestore(proxy) -> None:
    proxy.start()
    # In the thread where the consumers' database calls run.
    await sync_to_async(close_old_connections)()


def assert_unavailable(response, message=UNAVAILABLE_ES) -> None:
    assert response.status_code == 503, response.content
    assert error_of(response) == {"code": "service_unavailable", "message": message}
    assert response["Retry-After"] == "5"


def test_login_is_503_with_retry_after_during_a_cut_and_200_after(
    user, anon_client, database_proxy
):
    credentials = {"email": user.email, "password": PASSWORD}

    database_proxy.stop()
    spanish = anon_client.post("/api/v1/auth/login", credentials)
    english = anon_client.post("/api/v1/auth/login", credentials, HTTP_ACCEPT_LANGUAGE="en")
    restore(database_proxy)
    back = anon_client.post("/api/v1/auth/login", credentials)

    assert_unavailable(spanish)
    assert_unavailable(english, UNAVAILABLE_EN)
    assert back.status_code == 200


def test_the_task_list_is_503_too(user, api_client, database_proxy):
    database_proxy.stop()
    response = api_client.get("/api/v1/tasks")
    restore(database_proxy)

    assert_unavailable(response)
    assert api_client.get("/api/v1/tasks").status_code == 200


def test_writes_during_a_cut_change_nothing(user, api_client, database_proxy):
    task = services.task_create(user=user, source="api", title="existente")

    database_proxy.stop()
    created = api_client.post("/api/v1/tasks", {"title": "durante el corte"})
    started = api_client.post(f"/api/v1/tasks/{task.pk}/start")
    restore(database_proxy)

    assert_unavailable(created)
    assert_unavailable(started)
    assert not Task.objects.filter(title="durante el corte").exists()
    task.refresh_from_db()
    assert task.running_since is None
    assert not TaskEvent.objects.filter(task=task, type=TaskEvent.Type.STARTED).exists()
    assert api_client.post(f"/api/v1/tasks/{task.pk}/start").status_code == 200


def test_the_admin_is_503_not_a_server_error(make_user, database_proxy):
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    browser = Client(raise_request_exception=False)
    browser.force_login(admin)

    database_proxy.stop()
    response = browser.get("/admin/")
    restore(database_proxy)

    assert_unavailable(response)
    assert browser.get("/admin/").status_code == 200


# -- websockets ---------------------------------------------------------------------------------
def message_frame(content="hola") -> dict:
    return {"type": "message", "content": content, "conversation_id": None}


@pytest.mark.asyncio
async def test_a_chat_message_during_a_cut_gets_an_error_frame_and_the_socket_lives_on(
    token, database_proxy, settings
):
    settings.OPENAI_API_KEY = None  # after the cut, "no model" proves the database answered
    socket = await open_ready(token)

    database_proxy.stop()
    await socket.send_json_to(message_frame())
    during = await receive(socket)
    await socket.send_json_to({"type": "ping"})
    pong = await receive(socket)
    await arestore(database_proxy)
    await socket.send_json_to(message_frame())
    after = await receive_until(socket, "error")

    assert during == {
        "type": "error",
        "code": "service_unavailable",
        "message": UNAVAILABLE_ES,
    }
    assert pong == {"type": "pong"}
    assert after[0]["type"] == "message.accepted", after
    assert after[-1]["code"] == "assistant_unavailable"
    await socket.disconnect()


@pytest.mark.asyncio
async def test_an_auth_frame_during_a_cut_is_answered_and_closed_4503(token, database_proxy):
    socket = communicator()
    connected, _ = await socket.connect()
    assert connected

    await sync_to_async(database_proxy.stop)()
    await socket.send_json_to({"type": "auth", "token": token})

    assert (await receive(socket))["code"] == "service_unavailable"
    assert await receive_close(socket) == 4503
    await socket.disconnect()


@pytest.mark.asyncio
async def test_a_handshake_during_a_cut_is_answered_and_closed_4503(token, database_proxy):
    database_proxy.stop()
    socket = communicator(token=token)
    connected, _ = await socket.connect()

    assert connected  # accepted, so that the client gets a frame and a close code
    assert (await receive(socket))["code"] == "service_unavailable"
    assert await receive_close(socket) == 4503
    await socket.disconnect()

    await arestore(database_proxy)
    socket = await open_ready(token)
    await socket.disconnect()
