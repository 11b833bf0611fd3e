"""POST /api/v1/chat/voice: a recording is transcribed (real deepgram SDK against a fake
server) and answered like a written message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Conversation, Message
from tasks.models import Task

pytestmark = pytest.mark.django_db

URL = "/api/v1/chat/voice"
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt fake audio bytes"


def upload(client, audio=AUDIO, **extra):
    data = {"audio": SimpleUploadedFile("nota.wav", audio, content_type="audio/wav"), **extra}
    return client.post(URL, data, format="multipart")


def test_recording_is_transcribed_and_answered(api_client, user, fake_openai, fake_deepgram):
    fake_deepgram.add_transcript("Crea la tarea Preparar informe.", confidence=0.91, duration=3.2)
    fake_openai.add_tool_calls(("create_task", {"title": "Preparar informe"}))
    fake_openai.add_text("Creé la tarea.")

    response = upload(api_client)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["transcript"] == {
        "text": "Crea la tarea Preparar informe.",
        "confidence": 0.91,
        "duration": 3.2,
    }
    assert body["user_message"]["content"] == "Crea la tarea Preparar informe."
    assert body["user_message"]["source"] == "voice"
    assert body["assistant_message"]["content"] == "Creé la tarea."
    assert [a["tool"] for a in body["actions"]] == ["create_task"]
    assert Task.objects.get(user=user).title == "Preparar informe"
    sent = fake_deepgram.requests[0]
    assert sent.path == "/v1/listen"
    assert sent.body == AUDIO
    assert sent.headers["authorization"] == "Token dg-test-fake"
    assert sent.query["model"] == ["nova-2"]
    assert sent.query["language"] == ["es"]
    assert sent.query["smart_format"] == ["true"]
    assert fake_openai.requests[0].messages[-1] == {
        "role": "user",
        "content": "Crea la tarea Preparar informe.",
    }


def test_language_follows_the_user(api_client, user, fake_openai, fake_deepgram):
    user.language = "en"
    user.save()
    fake_deepgram.add_transcript("Hello there")
    fake_openai.add_text("Hi!")

    assert upload(api_client).status_code == 201
    assert fake_deepgram.requests[0].query["language"] == ["en"]


def test_continues_a_conversation(api_client, user, fake_openai, fake_deepgram):
    fake_openai.add_text("primera")
    first = api_client.post("/api/v1/chat/message", {"content": "hola"}, format="json").json()
    fake_deepgram.add_transcript("y ahora por voz")
    fake_openai.add_text("segunda")

    response = upload(api_client, conversation_id=first["conversation_id"])

    assert response.status_code == 201
    assert response.json()["conversation_id"] == first["conversation_id"]
    assert Message.objects.filter(conversation_id=first["conversation_id"]).count() == 4


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"audio": "not a file"},
        {"audio": SimpleUploadedFile("vacio.wav", b"", content_type="audio/wav")},
        {
            "audio": SimpleUploadedFile("a.wav", AUDIO, content_type="audio/wav"),
            "conversation_id": "nope",
        },
    ],
)
def test_bad_input_is_400(api_client, fake_openai, fake_deepgram, data):
    response = api_client.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert fake_deepgram.requests == []


def test_json_body_is_415(api_client, fake_openai, fake_deepgram):
    response = api_client.post(URL, {"audio": "x"}, format="json")
    assert response.status_code == 415


def test_another_users_conversation_is_404_before_transcribing(
    api_client, other_user, fake_openai, fake_deepgram
):
    theirs = Conversation.objects.create(user=other_user, title="ajena")

    response = upload(api_client, conversation_id=str(theirs.pk))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert fake_deepgram.requests == []


def test_without_a_model_key_it_is_503_before_transcribing(api_client, settings, fake_deepgram):
    settings.OPENAI_API_KEY = None

    response = upload(api_client)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "assistant_unavailable"
    assert fake_deepgram.requests == []


def test_without_a_deepgram_key_it_is_503(api_client, settings, fake_openai):
    settings.DEEPGRAM_API_KEY = None

    response = upload(api_client)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "voice_unavailable"
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "invalid_audio", 400),
        (401, "voice_upstream_error", 502),
        (500, "voice_upstream_error", 502),
    ],
)
def test_deepgram_errors(api_client, fake_openai, fake_deepgram, status, code, expected):
    fake_deepgram.add_error(status, "nope")

    response = upload(api_client)

    assert response.status_code == expected
    assert response.json()["error"]["code"] == code
    assert not Message.objects.exists()


def test_slow_deepgram_is_504(api_client, settings, fake_openai, fake_deepgram):
    settings.DEEPGRAM_TIMEOUT_SECONDS = 0.3
    fake_deepgram.add_transcript("tarde", delay=5)

    response = upload(api_client)

    assert response.status_code == 504
    assert response.json()["error"]["code"] == "voice_timeout"


def test_silence_is_422_and_stores_nothing(api_client, fake_openai, fake_deepgram):
    fake_deepgram.add_transcript("   ")

    response = upload(api_client)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_speech"
    assert not Message.objects.exists()
    assert fake_openai.requests == []


def test_too_long_transcript_is_422(api_client, fake_openai, fake_deepgram):
    fake_deepgram.add_transcript("palabra " * 600)

    response = upload(api_client)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "transcript_too_long"


def test_voice_shares_the_chat_throttle(api_client, settings, fake_openai, fake_deepgram):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "chat_user": "1/min"}
    fake_openai.add_text("uno")
    assert (
        api_client.post("/api/v1/chat/message", {"content": "1"}, format="json").status_code == 201
    )

    response = upload(api_client)

    assert response.status_code == 429
    assert fake_deepgram.requests == []
