"""POST /api/v1/chat/message: the assistant's whole reply and the actions it took."""

import pytest

from chat.models import Conversation, Message

URL = "/api/v1/chat/message"


@pytest.mark.django_db
def test_text_reply_is_stored_and_returned(api_client, user, fake_openai):
    fake_openai.add_text("¡Hola, ", "Ana!", usage=(40, 6))

    response = api_client.post(URL, {"content": "hola"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    conversation = Conversation.objects.get(pk=body["conversation_id"])
    assert conversation.user == user
    assert conversation.title == "hola"
    assert body["user_message"]["content"] == "hola"
    assert body["user_message"]["role"] == "user"
    assert body["assistant_message"]["content"] == "¡Hola, Ana!"
    assert body["assistant_message"]["status"] == "complete"
    assert body["assistant_message"]["model"] == "fake-model"
    assert body["assistant_message"]["prompt_tokens"] == 40
    assert body["assistant_message"]["completion_tokens"] == 6
    assert body["actions"] == []
    assert list(conversation.messages.values_list("role", flat=True)) == ["user", "assistant"]


@pytest.mark.django_db
def test_without_trailing_slash_and_with_it(api_client, fake_openai):
    fake_openai.add_text("uno")
    fake_openai.add_text("dos")
    assert api_client.post(URL, {"content": "a"}, format="json").status_code == 201
    assert api_client.post(URL + "/", {"content": "b"}, format="json").status_code == 201


@pytest.mark.django_db
def test_second_message_continues_the_conversation(api_client, fake_openai):
    fake_openai.add_text("Primera respuesta")
    fake_openai.add_text("Segunda respuesta")
    first = api_client.post(URL, {"content": "uno"}, format="json").json()

    second = api_client.post(
        URL, {"content": "dos", "conversation_id": first["conversation_id"]}, format="json"
    )

    assert second.status_code == 201
    assert second.json()["conversation_id"] == first["conversation_id"]
    assert Message.objects.filter(conversation_id=first["conversation_id"]).count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"content": ""},
        {"content": "   "},
        {"content": "x" * 4001},
        {"content": 12},
        {"content": ["hola"]},
        {"content": "hola", "conversation_id": "not-a-uuid"},
    ],
)
def test_bad_input_is_400_and_changes_nothing(api_client, payload, fake_openai):
    response = api_client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert Message.objects.count() == 0
    assert fake_openai.requests == []


@pytest.mark.django_db
def test_content_of_4000_chars_is_accepted(api_client, fake_openai):
    fake_openai.add_text("ok")
    response = api_client.post(URL, {"content": "x" * 4000}, format="json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_another_users_conversation_is_404_and_stores_nothing(
    api_client, other_client, fake_openai
):
    fake_openai.add_text("para otro")
    theirs = other_client.post(URL, {"content": "mío"}, format="json").json()

    response = api_client.post(
        URL, {"content": "intruso", "conversation_id": theirs["conversation_id"]}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not Message.objects.filter(content="intruso").exists()
    assert len(fake_openai.requests) == 1


@pytest.mark.django_db
def test_unknown_conversation_is_404(api_client, fake_openai):
    response = api_client.post(
        URL,
        {"content": "hola", "conversation_id": "7d9f1d1e-0000-4000-8000-000000000000"},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_anonymous_is_401(anon_client):
    assert anon_client.post(URL, {"content": "hola"}, format="json").status_code == 401


@pytest.mark.django_db
def test_answers_in_the_users_language_for_errors(api_client, user, settings):
    settings.OPENAI_API_KEY = None
    user.language = "en"
    user.save()
    response = api_client.post(URL, {"content": "hello"}, format="json")
    assert response.status_code == 503
    assert "not available" in response.json()["error"]["message"]
