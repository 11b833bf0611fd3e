"""A local fake of Deepgram's prerecorded transcription API (`POST /v1/listen`).

The real `deepgram-sdk` talks to it through `DEEPGRAM_BASE_URL`. Tests script the answers
and read back what was sent (query parameters, headers, the raw audio):

    def test_voice(fake_deepgram):
        fake_deepgram.add_transcript("crea la tarea Informe", confidence=0.93)
        ...
        assert fake_deepgram.requests[0].query["language"] == ["es"]
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes.local_server import LocalHTTPServer

__all__ = ["FakeDeepgram", "fake_deepgram"]


@dataclass
class RecordedListen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class ListenReply:
    status: int = 200
    body: dict = field(default_factory=dict)
    delay: float = 0.0


def listen_response(text: str, confidence: float, duration: float, model: str) -> dict:
    """The JSON Deepgram answers for a prerecorded request (the fields the SDK requires)."""
    return {
        "metadata": {
            "transaction_key": "deprecated",
            "request_id": str(uuid.uuid4()),
            "sha256": "0" * 64,
            "created": "2026-11-27T12:00:00.000Z",
            "duration": duration,
            "channels": 1,
            "models": [str(uuid.uuid4())],
            "model_info": {"x": {"name": model, "version": "2024-01-01", "arch": "nova-2"}},
        },
        "results": {
            "channels": [
                {
                    "alternatives": [
                        {"transcript": text, "confidence": confidence, "words": []},
                    ]
                }
            ]
        },
    }


class FakeDeepgram(LocalHTTPServer):
    def __init__(self) -> None:
        self._replies: list[ListenReply] = []
        self._lock = threading.Lock()
        self.requests: list[RecordedListen] = []
        self.unscripted: list[RecordedListen] = []
        super().__init__(_make_handler(self))

    @property
    def base_url(self) -> str:
        return self.origin

    def add_transcript(
        self,
        text: str,
        *,
        confidence: float = 0.95,
        duration: float = 2.5,
        model: str = "nova-2",
        delay: float = 0.0,
    ) -> ListenReply:
        reply = ListenReply(body=listen_response(text, confidence, duration, model), delay=delay)
        with self._lock:
            self._replies.append(reply)
        return reply

    def add_error(self, status: int = 500, message: str = "internal error") -> ListenReply:
        body = {"err_code": "ERROR", "err_msg": message, "request_id": str(uuid.uuid4())}
        reply = ListenReply(status=status, body=body)
        with self._lock:
            self._replies.append(reply)
        return reply

    def _next(self, request: RecordedListen) -> ListenReply | None:
        with self._lock:
            self.requests.append(request)
            if self._replies:
                return self._replies.pop(0)
            self.unscripted.append(request)
            return None


def _make_handler(fake: FakeDeepgram):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            parts = urlsplit(self.path)
            request = RecordedListen(
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            reply = fake._next(request) if parts.path == "/v1/listen" else None
            if reply is None:
                self._send(404, {"err_code": "NOT_FOUND", "err_msg": "fake: nothing scripted"})
                return
            if reply.delay and fake._stop.wait(reply.delay):
                return
            self._send(reply.status, reply.body)

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def fake_deepgram(settings):
    """A running FakeDeepgram with the settings pointing `chat/voice.py` at it (no retries)."""
    server = FakeDeepgram().start()
    settings.DEEPGRAM_API_KEY = "dg-test-fake"
    settings.DEEPGRAM_BASE_URL = server.base_url
    settings.DEEPGRAM_MODEL = "nova-2"
    settings.DEEPGRAM_MAX_RETRIES = 0
    settings.DEEPGRAM_TIMEOUT_SECONDS = 10.0
    try:
        yield server
    finally:
        server.stop()
    if server.unscripted:
        pytest.fail(f"fake Deepgram got {len(server.unscripted)} request(s) with nothing scripted")
