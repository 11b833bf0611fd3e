"""The rehearsal's stand-ins for the model and the speech service, as one service of the stack.

    python fakes.py            # listens on 0.0.0.0:8080

`POST …/chat/completions` answers as an OpenAI-compatible server streams (SSE chunks, a usage
chunk, `[DONE]`), with a text that names how many messages it was sent; `POST /v1/listen`
answers as Deepgram's prerecorded API does, with a fixed Spanish transcript. Both insist on the
credentials the app must send (`Authorization: Bearer …` / `Token …`) and answer 401 without
them. Standard library only: the image is the stand-in Python base and this file.
The tests' own fakes (tests/fakes/) are scripted per test; this one answers whatever comes.
"""

from __future__ import annotations

import json
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TRANSCRIPT = "crea una tarea de ensayo"
REPLY = ["Hola, ", "soy el ", "modelo ", "del ensayo."]


def _chunk(delta: dict | None, *, usage: dict | None = None, finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-rehearsal",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "rehearsal-model",
        "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        body["usage"] = usage
    return b"data: " + json.dumps(body).encode() + b"\n\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # one line per request, never headers or bodies
        print(f"fakes: {self.command} {self.path.split('?')[0]} {args[1] if len(args) > 1 else ''}")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return b""

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._json(200, {"status": "ok"})

    def do_POST(self):
        body = self._body()
        auth = self.headers.get("Authorization", "")
        if self.path.rstrip("/").endswith("/chat/completions"):
            if not auth.startswith("Bearer ") or len(auth) < 12:
                self._json(401, {"error": {"message": "no API key", "type": "auth"}})
                return
            messages = json.loads(body or b"{}").get("messages") or []
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(_chunk({"role": "assistant", "content": ""}))
            for piece in [*REPLY, f" ({len(messages)} mensajes)"]:
                self.wfile.write(_chunk({"content": piece}))
                self.wfile.flush()
                time.sleep(0.05)
            self.wfile.write(_chunk({}, finish="stop"))
            usage = {"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52}
            self.wfile.write(_chunk(None, usage=usage))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path.startswith("/v1/listen"):
            if not auth.startswith("Token ") or len(auth) < 10:
                self._json(401, {"err_code": "INVALID_AUTH", "err_msg": "no key"})
                return
            self._json(
                200,
                {
                    "metadata": {
                        "transaction_key": "deprecated",
                        "request_id": str(uuid.uuid4()),
                        "sha256": "0" * 64,
                        "created": "2026-12-07T12:00:00.000Z",
                        "duration": 2.5,
                        "channels": 1,
                        "models": [str(uuid.uuid4())],
                        "model_info": {
                            "x": {"name": "nova-2", "version": "2024-01-01", "arch": "nova-2"}
                        },
                    },
                    "results": {
                        "channels": [
                            {
                                "alternatives": [
                                    {"transcript": TRANSCRIPT, "confidence": 0.97, "words": []}
                                ]
                            }
                        ]
                    },
                },
            )
            return
        self._json(404, {"error": {"message": f"no route {self.path}"}})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("0.0.0.0", 8080), Handler)
    server.daemon_threads = True
    print("fakes: listening on 0.0.0.0:8080", flush=True)
    server.serve_forever()
