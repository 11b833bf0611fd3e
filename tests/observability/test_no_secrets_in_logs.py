"""No password, token or message text (nor an email address) in any log line: a whole flow
(register, log in, a task, the assistant over REST and over the websocket, a token refresh, a
forgotten password reset from its mail, a wrong password) with every logger at DEBUG in the
production format, then every value the flow used is looked for in everything written."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from asgiref.sync import async_to_sync
from django.core import mail
from rest_framework.test import APIClient

from tests.observability.test_websocket_lines import open_socket
from tests.ws.client import receive_until

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "maria.secreta@example.com"
PASSWORD = "Contraseña-muy-secreta-1"
NEW_PASSWORD = "Otra-contraseña-secreta-2"
WRONG_PASSWORD = "Intento-equivocado-3"
REST_MESSAGE = "mi diagnóstico confidencial es 7f3a"
REST_REPLY = "respuesta privada del asistente 9c1d"
WS_MESSAGE = "el nombre de mi terapeuta es 2b8e"
WS_REPLY = "respuesta por el socket 5e6f"


def link_tokens() -> list[str]:
    """The tokens of every link the mails sent so far carry."""
    tokens = []
    for message in mail.outbox:
        for url in re.findall(r"https?://\S+", message.body):
            tokens += parse_qs(urlsplit(url).query).get("token", [])
    return tokens


async def websocket_turn(access: str) -> None:
    socket = await open_socket(access, request_id="sock-secrets")
    await socket.send_json_to({"type": "message", "content": WS_MESSAGE})
    await receive_until(socket, "assistant.done")
    await socket.disconnect()


def test_a_whole_flow_at_debug_writes_no_secret_and_no_message_text(
    debug_json_logs, fake_openai, settings
):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    fake_openai.add_text(REST_REPLY)
    fake_openai.add_text(WS_REPLY)
    client = APIClient()
    used = [PASSWORD, NEW_PASSWORD, WRONG_PASSWORD, REST_MESSAGE, REST_REPLY, WS_MESSAGE, WS_REPLY]
    used.append(EMAIL)  # not a secret, but personal: lines name people by their id

    registered = client.post(
        "/api/v1/auth/register",
        {"email": EMAIL, "password": PASSWORD, "name": "María"},
        format="json",
    )
    assert registered.status_code == 201, registered.content
    logged_in = client.post(
        "/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD}, format="json"
    )
    assert logged_in.status_code == 200, logged_in.content
    tokens = logged_in.json()
    used += [registered.json()["access"], registered.json()["refresh"]]
    used += [tokens["access"], tokens["refresh"]]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    task = client.post("/api/v1/tasks", {"title": "Llamar al banco"}, format="json")
    assert task.status_code == 201, task.content
    assert client.post(f"/api/v1/tasks/{task.json()['id']}/start").status_code == 200
    said = client.post("/api/v1/chat/message", {"content": REST_MESSAGE}, format="json")
    assert said.status_code == 201, said.content
    async_to_sync(websocket_turn)(tokens["access"])

    refreshed = APIClient().post(
        "/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200, refreshed.content
    used += [refreshed.json()["access"], refreshed.json()["refresh"]]

    reset = APIClient().post("/api/v1/auth/password/reset", {"email": EMAIL}, format="json")
    assert reset.status_code == 202
    [reset_token] = link_tokens()[-1:]
    uid = parse_qs(urlsplit(re.findall(r"https?://\S+", mail.outbox[-1].body)[0]).query)["uid"]
    confirmed = APIClient().post(
        "/api/v1/auth/password/reset/confirm",
        {"uid": uid[0], "token": reset_token, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert confirmed.status_code == 204, confirmed.content
    wrong = APIClient().post(
        "/api/v1/auth/login", {"email": EMAIL, "password": WRONG_PASSWORD}, format="json"
    )
    assert wrong.status_code == 401
    again = APIClient().post(
        "/api/v1/auth/login", {"email": EMAIL, "password": NEW_PASSWORD}, format="json"
    )
    assert again.status_code == 200
    used += [again.json()["access"], again.json()["refresh"], *link_tokens()]

    written = debug_json_logs.text
    lines = debug_json_logs.lines  # every line is one JSON object
    # The flow did log: every request, the turns, the mails' jobs, at DEBUG too.
    assert len(debug_json_logs.where(logger="access")) >= 10
    assert debug_json_logs.where(logger="chat.consumers", route="chat-turn")
    assert debug_json_logs.where(logger="accounts.tasks")
    assert any(line["level"] == "DEBUG" for line in lines)
    leaked = [value for value in used if value in written]
    assert leaked == []
