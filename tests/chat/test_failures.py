"""What chat answers when the model cannot: 503 without a key, 502 on upstream errors, 504 on
timeouts; the user's message is kept, no partial reply is stored as a finished answer."""

import pytest

from chat.models import Conversation, Message
from tasks.models import Task

pytestmark = pytest.mark.django_db

URL = "/api/v1/chat/message"


def rows(conversation=None):
    qs = Message.objects.order_by("created_at", "id")
    if conversation is not None:
        qs = qs.filter(conversation=conversation)
    return [(m.role, m.content, m.status) for m in qs]


def test_without_a_key_chat_is_503_and_the_rest_of_the_api_works(api_client, settings):
    settings.OPENAI_API_KEY = None

    response = api_client.post(URL, {"content": "hola"}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "assistant_unavailable"
    assert rows() == [("user", "hola", "complete")]
    assert api_client.get("/api/v1/tasks").status_code == 200
    assert api_client.post("/api/v1/tasks", {"title": "Sin IA"}, format="json").status_code == 201
    assert api_client.get("/api/v1/chat/conversations").status_code == 200


def test_empty_key_is_unavailable_too(api_client, settings):
    settings.OPENAI_API_KEY = ""
    response = api_client.post(URL, {"content": "hola"}, format="json")
    assert response.status_code == 503


@pytest.mark.parametrize("status", [400, 401, 429, 500, 503])
def test_http_error_from_the_model_is_502(api_client, fake_openai, status):
    fake_openai.add_http_error(status, "nope")

    response = api_client.post(URL, {"content": "hola"}, format="json")

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "assistant_upstream_error"
    assert rows() == [("user", "hola", "complete")]


def test_error_in_the_middle_of_the_stream_keeps_the_partial_text_as_failed(
    api_client, fake_openai
):
    fake_openai.add_stream_error("overloaded", "Estoy pensando")

    response = api_client.post(URL, {"content": "hola"}, format="json")

    assert response.status_code == 502
    assert rows() == [("user", "hola", "complete"), ("assistant", "Estoy pensando", "failed")]
    conversation = Conversation.objects.get()
    detail = api_client.get(f"/api/v1/chat/conversations/{conversation.pk}").json()
    assert [m["status"] for m in detail["messages"]] == ["complete", "failed"]


def test_failure_after_a_tool_ran_keeps_the_action(api_client, user, fake_openai):
    fake_openai.add_tool_calls(("create_task", {"title": "Informe"}))
    fake_openai.add_http_error(500, "boom")

    response = api_client.post(URL, {"content": "crea Informe"}, format="json")

    assert response.status_code == 502
    task = Task.objects.get(user=user)
    final = Message.objects.get(role="assistant", tool_calls__isnull=True)
    assert final.status == "failed"
    assert [a["tool"] for a in final.actions] == ["create_task"]
    assert final.actions[0]["result"]["task"]["id"] == str(task.pk)


def test_slow_model_is_504(api_client, fake_openai, settings):
    settings.OPENAI_TIMEOUT_SECONDS = 0.3
    settings.OPENAI_MAX_RETRIES = 0
    fake_openai.add_slow(5, "tarde")

    response = api_client.post(URL, {"content": "hola"}, format="json")

    assert response.status_code == 504
    assert response.json()["error"]["code"] == "assistant_timeout"
    assert rows() == [("user", "hola", "complete")]


def test_stall_in_the_middle_of_the_stream_is_504(api_client, fake_openai, settings):
    settings.OPENAI_TIMEOUT_SECONDS = 0.3
    fake_openai.add_text("Empiezo", " y me paro", chunk_delay=5)

    response = api_client.post(URL, {"content": "hola"}, format="json")

    assert response.status_code == 504
    assert rows() == [("user", "hola", "complete"), ("assistant", "Empiezo", "failed")]


def test_next_message_after_a_failure_works_in_the_same_conversation(api_client, fake_openai):
    fake_openai.add_http_error(500, "boom")
    api_client.post(URL, {"content": "hola"}, format="json")
    conversation = Conversation.objects.get()
    fake_openai.add_text("Ya estoy.")

    response = api_client.post(
        URL, {"content": "¿sigues?", "conversation_id": str(conversation.pk)}, format="json"
    )

    assert response.status_code == 201
    sent = fake_openai.requests[-1].messages
    assert [m["role"] for m in sent] == ["system", "user", "user"]


def test_chat_is_throttled_per_user(api_client, other_client, fake_openai, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "chat_user": "2/min"}
    fake_openai.add_text("uno")
    fake_openai.add_text("dos")
    fake_openai.add_text("otro usuario")

    assert api_client.post(URL, {"content": "1"}, format="json").status_code == 201
    assert api_client.post(URL, {"content": "2"}, format="json").status_code == 201
    third = api_client.post(URL, {"content": "3"}, format="json")

    assert third.status_code == 429
    assert third.json()["error"]["code"] == "throttled"
    assert not Message.objects.filter(content="3").exists()
    assert other_client.post(URL, {"content": "hola"}, format="json").status_code == 201
