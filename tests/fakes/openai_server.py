"""A local fake of the OpenAI Chat Completions API, spoken over real HTTP.

The real `openai` SDK talks to it through `OPENAI_BASE_URL`, so tests cover the actual wire
path: SSE framing, chunk parsing, tool-call deltas split across chunks, the usage chunk,
`[DONE]`, error payloads inside a 200 stream, HTTP errors and slow or hanging responses.

Each test scripts the replies it expects, in order, and reads back the requests it got:

    def test_something(fake_openai):
        fake_openai.add_tool_calls(("create_task", {"title": "Informe"}))
        fake_openai.add_text("Hecho: ", "creé la tarea.")
        ...  # run the assistant
        second = fake_openai.requests[1]
        assert second.messages[-1]["role"] == "tool"

A request that arrives with nothing scripted gets an HTTP 500 and is listed in
`fake_openai.unscripted`; the `fake_openai` fixture fails the test at teardown if there was one.
"""

from __future__ import annotations

import itertools
import json
import select
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.fakes.local_server import LocalHTTPServer

__all__ = ["FakeOpenAI", "RecordedRequest", "Reply", "ToolCall", "fake_openai"]


@dataclass
class ToolCall:
    """A tool call the fake model asks for. `arguments` may be a dict (sent as JSON) or a raw
    string (to send malformed JSON on purpose)."""

    name: str
    arguments: dict | str = field(default_factory=dict)
    id: str | None = None

    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, ensure_ascii=False)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def messages(self) -> list[dict]:
        return self.json.get("messages", [])

    @property
    def tools(self) -> list[dict]:
        return self.json.get("tools") or []

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.tools]

    @property
    def system_prompt(self) -> str:
        first = self.messages[0] if self.messages else {}
        return first.get("content", "") if first.get("role") == "system" else ""


@dataclass
class Reply:
    """One scripted answer to one request.

    `steps` is a list of ("chunk", delta_dict, finish_reason) | ("sleep", seconds) |
    ("error", error_dict) | ("hang",). Before any step: `delay` seconds of silence (before
    the status line, so it counts against the client's read timeout), silence until `release`
    is set (when it is an Event: a model as slow as the test wants), or an HTTP error
    (`http_status` != 200 with `http_body`).
    """

    steps: list[tuple] = field(default_factory=list)
    usage: tuple[int, int] | None = (12, 7)
    delay: float = 0.0
    http_status: int = 200
    http_body: dict | None = None
    done: bool = True
    release: threading.Event | None = None


class FakeOpenAI(LocalHTTPServer):
    """A threaded HTTP server on 127.0.0.1 (random port) answering /v1/chat/completions."""

    model = "fake-model"

    def __init__(self) -> None:
        self._replies: list[Reply] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.requests: list[RecordedRequest] = []
        self.unscripted: list[RecordedRequest] = []
        # Set when a client closed its connection while a reply was still being streamed
        # (a cancelled generation must free the model call).
        self.client_disconnected = threading.Event()
        # Set when a "hang" step is reached: the stream is open and the client is waiting.
        self.hanging = threading.Event()
        # Set when a held reply (`add_held`) has a request waiting on it.
        self.holding = threading.Event()
        super().__init__(_make_handler(self))

    @property
    def base_url(self) -> str:
        return self.origin + "/v1"

    # -- scripting ------------------------------------------------------------------------
    def add(self, reply: Reply) -> Reply:
        with self._lock:
            self._replies.append(reply)
        return reply

    def add_text(
        self,
        *fragments: str,
        usage: tuple[int, int] | None = (12, 7),
        chunk_delay: float = 0.0,
        delay: float = 0.0,
        finish_reason: str = "stop",
    ) -> Reply:
        """A streamed text answer: one chunk per fragment (`chunk_delay` seconds between
        fragments), then usage and [DONE]."""
        steps: list[tuple] = [("chunk", {"role": "assistant", "content": ""}, None)]
        for position, fragment in enumerate(fragments):
            if chunk_delay and position:
                steps.append(("sleep", chunk_delay))
            steps.append(("chunk", {"content": fragment}, None))
        steps.append(("chunk", {}, finish_reason))
        return self.add(Reply(steps=steps, usage=usage, delay=delay))

    def add_tool_calls(
        self,
        *calls: ToolCall | tuple,
        text: str | None = None,
        usage: tuple[int, int] | None = (20, 9),
        pieces: int = 3,
    ) -> Reply:
        """A round where the model asks for tools. Each call arrives as deltas keyed by
        `index`: the first carries id and name, `arguments` follows in `pieces` fragments.
        Calls may be `ToolCall`s or `(name, arguments)` tuples."""
        steps: list[tuple] = [("chunk", {"role": "assistant", "content": text or None}, None)]
        for index, call in enumerate(calls):
            if isinstance(call, tuple):
                call = ToolCall(*call)
            call_id = call.id or f"call_{next(self._ids)}"
            steps.append(
                (
                    "chunk",
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "id": call_id,
                                "type": "function",
                                "function": {"name": call.name, "arguments": ""},
                            }
                        ]
                    },
                    None,
                )
            )
            for piece in _split(call.arguments_json(), pieces):
                steps.append(
                    (
                        "chunk",
                        {"tool_calls": [{"index": index, "function": {"arguments": piece}}]},
                        None,
                    )
                )
        steps.append(("chunk", {}, "tool_calls"))
        return self.add(Reply(steps=steps, usage=usage))

    def add_stream_error(self, message: str = "The server had an error.", *fragments) -> Reply:
        """HTTP 200, optionally some text, then `data: {"error": {...}}` (the SDK raises
        `openai.APIError`)."""
        steps: list[tuple] = [("chunk", {"role": "assistant", "content": ""}, None)]
        steps += [("chunk", {"content": f}, None) for f in fragments]
        steps.append(("error", {"message": message, "type": "server_error", "code": None}))
        return self.add(Reply(steps=steps, usage=None, done=False))

    def add_http_error(
        self, status: int = 500, message: str = "Internal error", code: str | None = None
    ) -> Reply:
        body = {"error": {"message": message, "type": "api_error", "param": None, "code": code}}
        return self.add(Reply(http_status=status, http_body=body, usage=None))

    def add_slow(self, seconds: float, *fragments: str) -> Reply:
        """Silence for `seconds` before the response starts, then a text answer."""
        return self.add_text(*(fragments or ("late",)), delay=seconds)

    def add_held(self, *fragments: str) -> Reply:
        """A text answer that starts only once the test sets the returned reply's `release`
        (or the server stops): until then the client waits, as on a model that takes minutes.
        `holding` is set when a request is waiting on it."""
        reply = self.add_text(*(fragments or ("late",)))
        reply.release = threading.Event()
        return reply

    def add_hang(self, *fragments: str) -> Reply:
        """Stream `fragments`, then keep the response open (no [DONE]) until the client goes
        away or the server stops. `hanging` is set once the fragments are sent."""
        steps: list[tuple] = [("chunk", {"role": "assistant", "content": ""}, None)]
        steps += [("chunk", {"content": f}, None) for f in fragments]
        steps.append(("hang",))
        return self.add(Reply(steps=steps, usage=None, done=False))

    @property
    def pending(self) -> int:
        """Scripted replies not yet consumed."""
        with self._lock:
            return len(self._replies)

    # -- serving (called from handler threads) ---------------------------------------------
    def _next_reply(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            self.requests.append(request)
            if self._replies:
                return self._replies.pop(0)
            self.unscripted.append(request)
            return None

    def _chunk(self, model: str, delta: dict | None, finish_reason, usage=None) -> dict:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": None,
            "choices": []
            if delta is None
            else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
            **({"usage": usage} if usage is not None else {}),
        }


def _split(text: str, pieces: int) -> list[str]:
    if pieces <= 1 or len(text) < pieces:
        return [text]
    size = -(-len(text) // pieces)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _usage(usage: tuple[int, int]) -> dict:
    prompt, completion = usage
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _make_handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # keep test output quiet
            pass

        def do_GET(self):
            self._send_json(404, {"error": {"message": "not found", "type": "invalid_request"}})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            request = RecordedRequest(
                method="POST",
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            if not self.path.rstrip("/").endswith("/chat/completions"):
                with fake._lock:
                    fake.requests.append(request)
                    fake.unscripted.append(request)
                self._send_json(404, {"error": {"message": "not found", "type": "invalid"}})
                return
            reply = fake._next_reply(request)
            if reply is None:
                self._send_json(
                    500,
                    {"error": {"message": "fake server: no scripted reply", "type": "fake"}},
                )
                return
            if reply.delay and fake._stop.wait(reply.delay):
                return
            if reply.release is not None:
                fake.holding.set()
                while not reply.release.wait(0.05):
                    if fake._stop.is_set():
                        return
            if reply.http_status != 200:
                self._send_json(reply.http_status, reply.http_body or {})
                return
            payload = request.json or {}
            model = payload.get("model") or fake.model
            try:
                if payload.get("stream"):
                    self._stream(reply, payload, model)
                else:
                    self._complete(reply, model)
            except (BrokenPipeError, ConnectionResetError):
                fake.client_disconnected.set()

        def _send_json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                fake.client_disconnected.set()

        def _event(self, data: str) -> None:
            self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

        def _stream(self, reply: Reply, payload: dict, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            # No Content-Length: the body ends when the connection closes.
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for step in reply.steps:
                kind = step[0]
                if kind == "chunk":
                    self._event(json.dumps(fake._chunk(model, step[1], step[2])))
                elif kind == "sleep":
                    if fake._stop.wait(step[1]):
                        return
                elif kind == "error":
                    self._event(json.dumps({"error": step[1]}))
                elif kind == "hang":
                    fake.hanging.set()
                    self._wait_for_disconnect()
                    return
            include_usage = (payload.get("stream_options") or {}).get("include_usage")
            if reply.usage is not None and include_usage:
                self._event(json.dumps(fake._chunk(model, None, None, _usage(reply.usage))))
            if reply.done:
                self._event("[DONE]")

        def _wait_for_disconnect(self) -> None:
            sock = self.connection
            while not fake._stop.is_set():
                readable, _, _ = select.select([sock], [], [], 0.05)
                if readable:
                    try:
                        if not sock.recv(1024):
                            fake.client_disconnected.set()
                            return
                    except OSError:
                        fake.client_disconnected.set()
                        return

        def _complete(self, reply: Reply, model: str) -> None:
            """A non-streamed completion made from the same script (for callers that do not
            stream, e.g. a summary writer)."""
            content = ""
            tool_calls: dict[int, dict] = {}
            finish_reason = "stop"
            for step in reply.steps:
                if step[0] == "error":
                    self._send_json(500, {"error": step[1]})
                    return
                if step[0] != "chunk":
                    continue
                delta, finish = step[1], step[2]
                content += delta.get("content") or ""
                for call in delta.get("tool_calls") or []:
                    slot = tool_calls.setdefault(
                        call["index"],
                        {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
                    )
                    slot["id"] = call.get("id") or slot["id"]
                    function = call.get("function") or {}
                    slot["function"]["name"] += function.get("name") or ""
                    slot["function"]["arguments"] += function.get("arguments") or ""
                finish_reason = finish or finish_reason
            message = {"role": "assistant", "content": content or None}
            if tool_calls:
                message["tool_calls"] = [tool_calls[i] for i in sorted(tool_calls)]
            body = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {"index": 0, "message": message, "finish_reason": finish_reason},
                ],
                "usage": _usage(reply.usage or (0, 0)),
            }
            self._send_json(200, body)

    return Handler


@pytest.fixture
def fake_openai(settings):
    """A running FakeOpenAI with settings pointing the project's LLM client at it (key set,
    no retries, a short timeout). Fails the test if a request arrived with nothing scripted."""
    server = FakeOpenAI().start()
    settings.OPENAI_API_KEY = "sk-test-fake"
    settings.OPENAI_BASE_URL = server.base_url
    settings.OPENAI_MODEL = FakeOpenAI.model
    settings.OPENAI_MAX_RETRIES = 0
    settings.OPENAI_TIMEOUT_SECONDS = 10.0
    try:
        yield server
    finally:
        server.stop()
    if server.unscripted:
        paths = ", ".join(r.path for r in server.unscripted)
        pytest.fail(f"fake OpenAI server got requests with no scripted reply: {paths}")
