"""The rehearsal's stand-ins for the model and the speech service, as one service of the stack.

    python fakes.py            # listens on 0.0.0.0:8080

`POST …/chat/completions` answers as an OpenAI-compatible server streams (SSE chunks, a usage
chunk, `[DONE]`), with a text that names how many messages it was sent; `POST /v1/listen`
answers as Deepgram's prerecorded API does, with a fixed Spanish transcript. Both insist on the
credentials the app must send (`Authorization: Bearer …` / `Token …`) and answer 401 without
them. The tests' own fakes (tests/fakes/) are scripted per test; this one answers whatever comes.

On port 2525 it is the mail provider (aiosmtpd): STARTTLS with the rehearsal's certificate for
`fakes` (FAKES_TLS_CERT, FAKES_TLS_KEY), AUTH only after it, with the `email_password` secret as
the password; each accepted message is written to MAIL_DIR (/srv/mail) as `<n>.eml`, where the
rehearsal reads it with `docker exec`. Nothing of a message is printed.
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


def start_smtp() -> None:
    """The fake mail provider, when its certificate is there (the rehearsal's stack file)."""
    import os
    import ssl
    from pathlib import Path

    cert, key = os.environ.get("FAKES_TLS_CERT"), os.environ.get("FAKES_TLS_KEY")
    if not (cert and key and Path(cert).exists()):
        print("fakes: no certificate, no SMTP", flush=True)
        return
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    mail_dir = Path(os.environ.get("MAIL_DIR", "/srv/mail"))
    mail_dir.mkdir(parents=True, exist_ok=True)
    password = Path(os.environ["SMTP_PASSWORD_FILE"]).read_text().strip().encode()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = getattr(auth_data, "password", None) == password
        return AuthResult(success=ok)

    class Mailbox:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Mailbox.count += 1
            (mail_dir / f"{Mailbox.count}.eml").write_bytes(envelope.original_content)
            print(f"fakes: mail {Mailbox.count} accepted", flush=True)
            return "250 OK"

    controller = Controller(
        Mailbox(),
        hostname="0.0.0.0",
        port=2525,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    print("fakes: SMTP on 0.0.0.0:2525 (STARTTLS, AUTH)", flush=True)


if __name__ == "__main__":
    start_smtp()
    server = ThreadingHTTPServer(("0.0.0.0", 8080), Handler)
    server.daemon_threads = True
    print("fakes: listening on 0.0.0.0:8080", flush=True)
    server.serve_forever()
