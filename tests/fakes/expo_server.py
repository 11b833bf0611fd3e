"""A local fake of Expo's push API (`/--/api/v2/push/send`, `/--/api/v2/push/getReceipts`).

The real `exponent-server-sdk` talks to it through `EXPO_BASE_URL`. Every token gets an ok
ticket unless told otherwise; tests script the rest and read back what was sent:

    def test_dead_device(fake_expo):
        fake_expo.unregistered.add(token)            # ticket error DeviceNotRegistered
        fake_expo.receipt_errors[token] = "DeviceNotRegistered"   # ok ticket, error receipt
        fake_expo.fail_next(429, times=2)            # whole requests refused, then normal
        fake_expo.delay_next_send = 2.0              # accept, then answer after 2 s
        ...
        assert [m["to"] for m in fake_expo.delivered] == [token]  # accepted messages, in order
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import pytest

from tests.fakes.local_server import LocalHTTPServer

__all__ = ["FakeExpo", "fake_expo"]

SEND = "/--/api/v2/push/send"
RECEIPTS = "/--/api/v2/push/getReceipts"


@dataclass
class RecordedPush:
    path: str
    headers: dict[str, str]
    body: object
    at: float  # time.monotonic() on arrival


@dataclass
class Failure:
    status: int
    json_body: bool = True
    retry_after: int | None = None


class FakeExpo(LocalHTTPServer):
    def __init__(self, access_token: str = "") -> None:
        self._lock = threading.Lock()
        self.access_token = access_token
        self.requests: list[RecordedPush] = []
        self.delivered: list[dict] = []  # messages Expo accepted (an ok ticket)
        self.unregistered: set[str] = set()
        self.ticket_errors: dict[str, str] = {}  # token -> other ticket error codes
        self.receipt_errors: dict[str, str] = {}  # token -> receipt error code
        self._failures: list[Failure] = []
        self._receipt_failures: list[Failure] = []
        self._tickets: dict[str, str] = {}  # ticket id -> token
        self.delay_next_send = 0.0  # seconds to sit on the next send after accepting it
        super().__init__(_make_handler(self))

    def fail_next(self, status: int, *, times: int = 1, json_body=True, retry_after=None):
        """The next `times` send requests are refused whole with `status`."""
        with self._lock:
            self._failures += [Failure(status, json_body, retry_after)] * times

    def fail_next_receipts(self, status: int, *, times: int = 1):
        with self._lock:
            self._receipt_failures += [Failure(status)] * times

    def sends(self) -> list[RecordedPush]:
        return [r for r in self.requests if r.path == SEND]

    def receipt_requests(self) -> list[RecordedPush]:
        return [r for r in self.requests if r.path == RECEIPTS]

    def _answer(self, path: str, headers: dict, body) -> tuple[int, object, dict]:
        with self._lock:
            self.requests.append(RecordedPush(path, headers, body, time.monotonic()))
            if self.access_token and headers.get("authorization") != f"Bearer {self.access_token}":
                return 401, _errors("UNAUTHORIZED", "bad access token"), {}
            if path == SEND:
                return self._send(body)
            if path == RECEIPTS:
                return self._receipts(body)
            return 404, _errors("NOT_FOUND", "fake: unknown path"), {}

    def _refusal(self, failure: Failure) -> tuple[int, object, dict]:
        extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
        if not failure.json_body:
            return failure.status, "<html>upstream trouble</html>", extra
        code = "TOO_MANY_REQUESTS" if failure.status == 429 else "INTERNAL_SERVER_ERROR"
        return failure.status, _errors(code, "fake refusal"), extra

    def _send(self, body) -> tuple[int, object, dict]:
        if self._failures:
            return self._refusal(self._failures.pop(0))
        messages = body if isinstance(body, list) else [body]
        if len(messages) > 100:
            return 400, _errors("PUSH_TOO_MANY_NOTIFICATIONS", "more than 100"), {}
        tickets = []
        for message in messages:
            token = message["to"]
            if token in self.unregistered:
                tickets.append(_error_ticket("DeviceNotRegistered", token))
            elif token in self.ticket_errors:
                tickets.append(_error_ticket(self.ticket_errors[token], token))
            else:
                ticket_id = str(uuid.uuid4())
                self._tickets[ticket_id] = token
                self.delivered.append(message)
                tickets.append({"status": "ok", "id": ticket_id})
        return 200, {"data": tickets}, {}

    def _receipts(self, body) -> tuple[int, object, dict]:
        if self._receipt_failures:
            return self._refusal(self._receipt_failures.pop(0))
        answer = {}
        for ticket_id in body.get("ids", []):
            token = self._tickets.get(ticket_id)
            if token is None:
                continue  # unknown or not ready: Expo leaves it out
            error = self.receipt_errors.get(token)
            answer[ticket_id] = _error_ticket(error, token) if error else {"status": "ok"}
        return 200, {"data": answer}, {}


def _errors(code: str, message: str) -> dict:
    return {"errors": [{"code": code, "message": message}]}


def _error_ticket(error: str, token: str) -> dict:
    return {
        "status": "error",
        "message": f'"{token}" is not a registered push notification recipient',
        "details": {"error": error, "expoPushToken": token},
    }


def _make_handler(fake: FakeExpo):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer, extra = fake._answer(self.path.split("?")[0], headers, body)
            delay, fake.delay_next_send = fake.delay_next_send, 0.0
            if delay and fake._stop.wait(delay):  # accepted, but the answer comes too late
                return
            data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
            content_type = "text/html" if isinstance(answer, str) else "application/json"
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def fake_expo(settings):
    """A running FakeExpo with push enabled and pointed at it; retries pause only briefly."""
    server = FakeExpo().start()
    settings.EXPO_PUSH_ENABLED = True
    settings.EXPO_BASE_URL = server.origin
    settings.EXPO_ACCESS_TOKEN = None
    settings.EXPO_TIMEOUT_SECONDS = 5.0
    settings.PUSH_RETRY_DELAYS = [0.01, 0.01]
    try:
        yield server
    finally:
        server.stop()
