"""POST /api/v1/chat/voice refuses bytes that are not a recording (400 `invalid_audio`)
before paying for a transcription: the fake Deepgram must not receive a request. Every
container phones and browsers record in is let through."""

import io
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat import audio
from chat.models import Message

pytestmark = pytest.mark.django_db

URL = "/api/v1/chat/voice"


def wav_file() -> bytes:
    """A real WAV file (Python's own writer): 0.1 s of silence, 16 kHz mono."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * 1600)
    return buffer.getvalue()


def id3_tag(body: bytes = b"TIT2\x00\x00\x00\x05\x00\x00\x03Nota") -> bytes:
    size = len(body)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x04\x00\x00" + syncsafe + body


MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 413  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
RECORDINGS = {
    "wav": ("nota.wav", wav_file()),
    "mp3 with an ID3 tag": ("nota.mp3", id3_tag() + MP3_FRAME * 3),
    "mp3 with a padded ID3 tag": ("nota.mp3", id3_tag() + b"\x00" * 64 + MP3_FRAME),
    "mp3 without a tag": ("nota.mp3", MP3_FRAME * 3),
    "aac adts": ("nota.aac", b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 64),
    "ogg opus": ("nota.ogg", b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01"),
    "webm": ("nota.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 32),
    "m4a": ("nota.m4a", b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 32),
    "3gp": ("nota.3gp", b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x00\x00isom3gp4" + b"\x00" * 32),
    "flac": ("nota.flac", b"fLaC\x00\x00\x00\x22" + b"\x00" * 34),
}
NOT_AUDIO = {
    "text": ("nota.wav", "Esto es un texto, no una grabación.\n".encode()),
    "json": ("nota.m4a", b'{"audio": "no"}'),
    "png": ("nota.mp3", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32),
    "pdf": ("nota.ogg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 32),
    "riff that is not wave": ("nota.wav", b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 32),
    "an ID3 tag before text": ("nota.mp3", id3_tag() + b"hello, this is not sound"),
    "an ID3 tag alone": ("nota.mp3", id3_tag()),
    "a reserved MPEG version": ("nota.mp3", b"\xff\xeb\x90\x64" + b"\x00" * 64),
    "random bytes": ("nota.webm", bytes(range(7, 256))),
}


def upload(client, name, data, **extra):
    audio_file = SimpleUploadedFile(name, data, content_type="audio/mpeg")
    return client.post(URL, {"audio": audio_file, **extra}, format="multipart")


@pytest.mark.parametrize("kind", NOT_AUDIO)
def test_bytes_that_are_not_audio_are_refused_without_transcribing(
    api_client, fake_openai, fake_deepgram, kind
):
    name, data = NOT_AUDIO[kind]

    response = upload(api_client, name, data)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_audio"
    assert fake_deepgram.requests == []
    assert fake_openai.requests == []
    assert not Message.objects.exists()


@pytest.mark.parametrize("kind", RECORDINGS)
def test_each_audio_container_is_transcribed(api_client, fake_openai, fake_deepgram, kind):
    name, data = RECORDINGS[kind]
    fake_deepgram.add_transcript("hola")
    fake_openai.add_text("¡Hola!")

    response = upload(api_client, name, data)

    assert response.status_code == 201, response.content
    assert fake_deepgram.requests[0].body == data


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("wav", "wav"),
        ("mp3 with an ID3 tag", "mp3"),
        ("aac adts", "aac"),
        ("ogg opus", "ogg"),
        ("webm", "webm"),
        ("m4a", "mp4"),
        ("flac", "flac"),
    ],
)
def test_the_container_is_named(kind, expected):
    assert audio.container(RECORDINGS[kind][1]) == expected


def test_flac_after_an_id3_tag_is_flac():
    assert audio.container(id3_tag() + b"fLaC\x00\x00\x00\x22") == "flac"


def test_a_text_file_is_refused_whatever_its_name_and_content_type(
    api_client, fake_openai, fake_deepgram
):
    text = SimpleUploadedFile("grabacion.m4a", b"plain text", content_type="audio/mp4")
    response = api_client.post(URL, {"audio": text}, format="multipart")
    assert response.json()["error"]["code"] == "invalid_audio"
    assert fake_deepgram.requests == []
