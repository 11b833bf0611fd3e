"""A local fake of Sentry's ingestion endpoint (`POST /api/<project>/envelope/`), spoken over
real HTTP: sentry-sdk, given a DSN that points here, sends its envelopes as it would to Sentry.

    def test_something(fake_sentry):
        init_sentry(dsn=fake_sentry.dsn, ...)
        ...  # something raises
        sentry_sdk.flush()
        [event] = fake_sentry.events
        assert event["tags"]["request_id"] == ...

`raw` keeps every request body as it arrived (decompressed), to search for what must never be
sent.
"""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler

from tests.fakes.local_server import LocalHTTPServer

__all__ = ["FakeSentry"]

PROJECT_ID = "1"
PUBLIC_KEY = "publickey0123456789"


class FakeSentry(LocalHTTPServer):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.raw: list[bytes] = []
        self.items: list[tuple[dict, object]] = []  # (item header, payload) of every envelope
        self.arrived = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                elif encoding:  # br needs a module the project does not install: say so
                    self.send_response(415)
                    self.end_headers()
                    return
                if self.path.rstrip("/") == f"/api/{PROJECT_ID}/envelope":
                    fake._received(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

        super().__init__(Handler)

    @property
    def dsn(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{PUBLIC_KEY}@{host}:{port}/{PROJECT_ID}"

    @property
    def events(self) -> list[dict]:
        with self._lock:
            return [payload for header, payload in self.items if header.get("type") == "event"]

    def _received(self, body: bytes) -> None:
        items = _parse_envelope(body)
        with self._lock:
            self.raw.append(body)
            self.items.extend(items)
        self.arrived.set()


def _parse_envelope(body: bytes) -> list[tuple[dict, object]]:
    """An envelope: a header line, then items, each a header line and a payload (of `length`
    bytes when the header says, else up to the next newline)."""
    _, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        try:
            items.append((header, json.loads(payload)))
        except ValueError:
            items.append((header, payload))
    return items
