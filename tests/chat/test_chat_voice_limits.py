"""POST /api/v1/chat/voice refuses what it can before reading the upload (the daily budget, the
user's voice messages in flight), and streams what it accepts to Deepgram without holding the
recording in memory (real deepgram SDK against the fake server)."""

import io
import json
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import ClientHandler
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory

from chat.models import Conversation, Message
from tests.conftest import access_token_for

URL = "/api/v1/chat/voice"
WAV_HEADER = b"RIFF\x24\x00\x00\x00WAVEfmt "
# Over FILE_UPLOAD_MAX_MEMORY_SIZE (5 MiB): the upload goes to a temporary file.
LARGE = WAV_HEADER + bytes(range(256)) * (24 * 1024 * 4)  # 24 MiB and a bit


class CountingInput:
    """A request body (`wsgi.input`) that counts the bytes the application read from it."""

    def __init__(self, stream):
        self.stream = stream
        self.read_bytes = 0

    def read(self, size=-1):
        data = self.stream.read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        data = self.stream.readline(size)
        self.read_bytes += len(data)
        return data


def post_counting(user, audio: bytes) -> tuple:
    """POST the upload through the whole WSGI stack (middleware, URLs, view); the response and
    how many bytes of the body were read."""
    request = APIRequestFactory().post(
        URL,
        {"audio": SimpleUploadedFile("nota.wav", audio, content_type="audio/wav")},
        format="multipart",
        HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}",
    )
    environ = dict(request.environ)
    body = environ["wsgi.input"] = CountingInput(environ["wsgi.input"])
    response = ClientHandler()(environ)
    return response, body.read_bytes


def upload(client, audio=LARGE):
    data = {"audio": SimpleUploadedFile("nota.wav", audio, content_type="audio/wav")}
    return client.post(URL, data, format="multipart")


def error_of(response) -> dict:
    return json.loads(response.content)["error"]


@pytest.mark.django_db
def test_over_the_budget_the_upload_is_refused_before_it_is_read(
    user, fake_openai, fake_deepgram, settings
):
    settings.ASSISTANT_DAILY_TOKEN_BUDGET = 10
    conversation = Conversation.objects.create(user=user, title="antes")
    Message.objects.create(
        conversation=conversation,
        user=user,
        role="assistant",
        content="",
        prompt_tokens=10,
        completion_tokens=0,
        created_at=timezone.now(),
    )

    response, read = post_counting(user, LARGE)

    assert response.status_code == 429
    assert error_of(response)["code"] == "assistant_budget_exceeded"
    assert read == 0
    assert fake_deepgram.requests == []


@pytest.mark.django_db(transaction=True)
def test_past_the_uploads_in_flight_one_is_refused_before_it_is_read(
    user, fake_openai, fake_deepgram, settings
):
    settings.VOICE_MAX_CONCURRENT_UPLOADS = 2
    for _ in range(3):
        fake_deepgram.add_transcript("Hola", delay=1.5)
        fake_openai.add_text("Hola.")
    token = access_token_for(user)
    answers = []

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        answers.append(upload(client, LARGE[: 64 * 1024]).status_code)

    in_flight = [threading.Thread(target=send) for _ in range(2)]
    for thread in in_flight:
        thread.start()
    deadline = time.monotonic() + 10
    while len(fake_deepgram.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(fake_deepgram.requests) == 2  # both are being transcribed now

    refused, read = post_counting(user, LARGE)

    for thread in in_flight:
        thread.join()
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "voice_uploads_in_progress"
    assert error["message"]
    assert read == 0
    assert answers == [201, 201]
    assert len(fake_deepgram.requests) == 2
    # Their slots were given back: the next one goes through.
    accepted, read = post_counting(user, LARGE[: 64 * 1024])
    assert accepted.status_code == 201
    assert read > 0


@pytest.mark.django_db
def test_a_large_recording_reaches_deepgram_whole_with_its_length(
    api_client, fake_openai, fake_deepgram
):
    fake_deepgram.add_transcript("Crea la tarea Informe.")
    fake_openai.add_text("Hecho.")

    response = upload(api_client, LARGE)

    assert response.status_code == 201, response.content
    assert response.json()["transcript"]["text"] == "Crea la tarea Informe."
    [sent] = fake_deepgram.requests
    assert sent.headers["content-length"] == str(len(LARGE))
    assert "transfer-encoding" not in sent.headers
    assert sent.body == LARGE


@pytest.mark.django_db
def test_a_retried_transcription_sends_the_recording_again_from_its_start(
    api_client, fake_openai, fake_deepgram, settings
):
    settings.DEEPGRAM_MAX_RETRIES = 1
    fake_deepgram.add_error(503, "busy")
    fake_deepgram.add_transcript("Hola")
    fake_openai.add_text("Hola.")

    response = upload(api_client, LARGE)

    assert response.status_code == 201, response.content
    assert [r.body == LARGE for r in fake_deepgram.requests] == [True, True]


class RecordingReads(io.BytesIO):
    """An uploaded file that remembers the size of every read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size=-1):
        data = super().read(size)
        self.reads.append(len(data))
        return data


def test_the_recording_is_read_piece_by_piece_not_whole(fake_deepgram):
    from chat import voice  # the seam

    fake_deepgram.add_transcript("Hola")
    recording = RecordingReads(LARGE)

    transcript = async_to_sync(voice.transcribe)(audio=recording, language="es")

    assert transcript.text == "Hola"
    assert sum(recording.reads) == len(LARGE)
    assert max(recording.reads) <= 1024 * 1024  # never the whole 24 MiB at once
    assert fake_deepgram.requests[0].body == LARGE


def test_a_slot_that_expired_and_was_taken_by_another_upload_is_not_freed_by_the_first(
    settings, user
):
    """An upload that outlived its slot's expiry must not free the slot another upload holds
    since: that would let a third one in past the limit."""
    from django.core.cache import cache

    from chat.errors import VoiceUploadsInProgress
    from chat.voice_uploads import voice_upload_slot

    settings.VOICE_MAX_CONCURRENT_UPLOADS = 1
    key = f"voice-upload:{user.pk}:0"
    with voice_upload_slot(user=user):
        cache.delete(key)  # the first upload's slot expired…
        with voice_upload_slot(user=user):  # …and a second upload took it
            pass
        cache.add(key, "second-upload", 60)  # (the second one still holds it)
    # The first upload ended: the second's slot is still taken.
    with pytest.raises(VoiceUploadsInProgress), voice_upload_slot(user=user):
        pass
    cache.delete(key)
