# ruff: noqa: F811  (pytest fixtures imported from tests.ws, used as arguments)
"""A turn's time limit (ASSISTANT_TURN_TIMEOUT_SECONDS) and one turn at a time per
conversation, over REST and the websocket (and, in test_ws_daphne, across processes)."""

import asyncio
import json
import threading
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient
from websockets.asyncio.client import connect

from chat.models import Conversation, Message
from config import llm
from tests.conftest import access_token_for
from tests.ws.client import open_ready, receive, receive_until
from tests.ws.daphne import daphne_url_with_model  # noqa: F401
from tests.ws.fixtures import token  # noqa: F401

pytestmark = pytest.mark.django_db

MESSAGE_URL = "/api/v1/chat/message"


@pytest.fixture
def short_turns(settings):
    settings.ASSISTANT_TURN_TIMEOUT_SECONDS = 1.0
    settings.OPENAI_TIMEOUT_SECONDS = 30  # the per-request limit is not the one that fires
    llm._sdk()  # the SDK's first import (about a second) is not what this limit is about


def test_a_turn_over_its_time_limit_is_504_and_keeps_the_user_message(
    api_client, short_turns, fake_openai
):
    fake_openai.add_hang("Déjame ", "pensar")

    response = api_client.post(MESSAGE_URL, {"content": "piensa mucho"}, format="json")

    assert response.status_code == 504
    assert response.json()["error"]["code"] == "assistant_timeout"
    stored = list(Message.objects.order_by("created_at").values_list("role", "content", "status"))
    assert stored == [
        ("user", "piensa mucho", "complete"),
        ("assistant", "Déjame pensar", "failed"),
    ]
    assert fake_openai.client_disconnected.wait(5), "the model call was not closed"
    # The conversation is free again.
    assert Conversation.objects.get().turn_token is None


def test_the_limit_covers_every_round_of_the_turn(api_client, short_turns, fake_openai, user):
    fake_openai.add_tool_calls(("create_task", {"title": "Informe"}))
    fake_openai.add_hang()

    response = api_client.post(MESSAGE_URL, {"content": "crea Informe"}, format="json")

    assert response.status_code == 504
    answer = Message.objects.get(role="assistant", tool_calls__isnull=True)
    assert answer.status == "failed"
    assert [a["tool"] for a in answer.actions] == ["create_task"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_on_the_socket_a_turn_over_its_limit_is_an_error_frame(
    token, short_turns, fake_openai
):
    fake_openai.add_hang("Un momento")
    socket = await open_ready(token)
    await socket.send_json_to({"type": "message", "content": "hola"})

    frames = await receive_until(socket, "error")

    assert frames[0]["type"] == "message.accepted"
    assert frames[-1]["code"] == "assistant_timeout"
    await socket.disconnect()


# -- one turn at a time per conversation ---------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_second_turn_on_a_busy_conversation_is_409_on_rest_and_socket(
    user, token, fake_openai
):
    fake_openai.add_hang("Escribiendo")
    phone = await open_ready(token)
    await phone.send_json_to({"type": "message", "content": "primera"})
    accepted = await receive(phone)
    await receive(phone)  # the delta: the turn is streaming
    conversation_id = accepted["conversation_id"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    post = sync_to_async(client.post)

    response = await post(
        MESSAGE_URL, {"content": "segunda", "conversation_id": conversation_id}, format="json"
    )
    laptop = await open_ready(token)
    await laptop.send_json_to(
        {"type": "message", "content": "tercera", "conversation_id": conversation_id}
    )
    refused = await receive(laptop)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conversation_busy"
    assert refused["type"] == "error" and refused["code"] == "conversation_busy"
    contents = await database_sync_to_async(
        lambda: list(Message.objects.filter(role="user").values_list("content", flat=True))
    )()
    assert contents == ["primera"]
    # Another conversation is not blocked.
    fake_openai.add_text("Otra conversación.")
    other = await post(MESSAGE_URL, {"content": "nueva"}, format="json")
    assert other.status_code == 201

    await phone.disconnect()  # the first turn ends (interrupted) and frees the conversation
    fake_openai.add_text("Ahora sí.")
    again = await post(
        MESSAGE_URL, {"content": "segunda", "conversation_id": conversation_id}, format="json"
    )
    assert again.status_code == 201, again.content
    await laptop.disconnect()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_rest_turns_racing_on_one_conversation_one_is_409(user, fake_openai):
    fake_openai.add_text("Primera.")
    token = access_token_for(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    conversation_id = client.post(MESSAGE_URL, {"content": "hola"}, format="json").json()[
        "conversation_id"
    ]
    fake_openai.add_slow(1.5, "Tarde pero llego.")
    barrier = threading.Barrier(2)
    statuses: list = []

    def turn():
        own = APIClient()
        own.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            barrier.wait()
            body = {"content": "a la vez", "conversation_id": conversation_id}
            statuses.append(own.post(MESSAGE_URL, body, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=turn) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409]
    assert Message.objects.filter(role="user", content="a la vez").count() == 1


def test_a_claim_left_by_a_dead_process_expires(say, fake_openai):
    fake_openai.add_text("Hola.")
    first = say("hola")
    # A process killed mid-turn never released its claim; its lease ran out.
    Conversation.objects.filter(pk=first["conversation_id"]).update(
        turn_token="00000000-0000-0000-0000-000000000001",
        turn_lease_until=timezone.now() - timedelta(seconds=1),
    )
    fake_openai.add_text("Sigo aquí.")

    body = say("¿sigues?", conversation_id=first["conversation_id"])

    assert body["assistant_message"]["content"] == "Sigo aquí."


def test_a_busy_conversation_refuses_a_voice_message_before_transcribing(
    api_client, user, fake_openai, fake_deepgram
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = Conversation.objects.create(
        user=user,
        title="ocupada",
        turn_token="00000000-0000-0000-0000-000000000002",
        turn_lease_until=timezone.now() + timedelta(minutes=2),
    )
    audio = SimpleUploadedFile("n.wav", b"RIFF\x24\x00\x00\x00WAVEfmt data", "audio/wav")

    response = api_client.post(
        "/api/v1/chat/voice",
        {"audio": audio, "conversation_id": str(conversation.pk)},
        format="multipart",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conversation_busy"
    assert fake_deepgram.requests == []


@pytest.mark.postgres
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_claim_holds_across_processes(daphne_url_with_model, token, fake_openai):
    # A turn streaming in a Daphne process blocks a REST turn in this one: the claim is a row
    # in the database, not memory of one process.
    fake_openai.add_hang("En otro proceso")
    async with connect(
        f"{daphne_url_with_model}/ws/chat/",
        additional_headers={"Authorization": f"Bearer {token}"},
        proxy=None,
    ) as phone:
        assert json.loads(await asyncio.wait_for(phone.recv(), 10)) == {"type": "ready"}
        await phone.send(json.dumps({"type": "message", "content": "primera"}))
        accepted = json.loads(await asyncio.wait_for(phone.recv(), 10))
        assert await asyncio.to_thread(fake_openai.hanging.wait, 10)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        body = {"content": "segunda", "conversation_id": accepted["conversation_id"]}

        response = await sync_to_async(client.post)(MESSAGE_URL, body, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conversation_busy"
