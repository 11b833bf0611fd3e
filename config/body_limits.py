"""Request bodies over the limit are refused before they are stored, whatever serves the app.

The limit is API_MAX_BODY_BYTES (1 MiB), VOICE_MAX_BODY_BYTES (25 MiB) on the voice upload
route; the answer is 413 with the error envelope (`payload_too_large`).

- granian (WSGI): Django reads the body lazily from the socket, so RequestGuardMiddleware
  (config/middleware.py) refuses a declared Content-Length over the limit before anything is
  read, and a chunked body without one (411).
- Daphne (ASGI): Twisted, under Daphne, writes a request's whole body to memory or a temporary
  file before the application is called, and Django's ASGI handler then copies it into a
  spooled file before any middleware runs. `BoundedWebRequest` replaces Daphne's request class:
  it answers 413 as soon as the headers declare too much, or as soon as a body without a
  declared length (chunked) passes the limit, and closes the connection; the excess is never
  kept. `BodyLimitMiddleware` does the same at the ASGI level (Content-Length, then the bytes
  as they are received) for any other ASGI server, before Django spools anything.

Traefik's buffering middleware in front (deploy/) enforces the same limits in production.
"""

import io
import logging

import orjson
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

logger = logging.getLogger(__name__)

VOICE_PATH_SUFFIX = "/chat/voice"


def body_limit(path: str) -> int:
    """The largest body accepted on `path` (the voice upload route has its own limit)."""
    if path.rstrip("/").endswith(VOICE_PATH_SUFFIX):
        return settings.VOICE_MAX_BODY_BYTES
    return settings.API_MAX_BODY_BYTES


def _language(accept_language: str) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    return settings.LANGUAGE_CODE


def too_large_body(accept_language: str = "") -> bytes:
    """The 413 envelope, in the language the client asked for."""
    with translation.override(_language(accept_language)):
        message = _("The request body is too large.")
    return orjson.dumps({"error": {"code": "payload_too_large", "message": message}})


# -- ASGI --------------------------------------------------------------------------------------
class BodyLimitMiddleware:
    """Refuses HTTP requests whose body is over the limit before the app reads it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        language = headers.get(b"accept-language", b"").decode("latin-1")
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # RequestGuardMiddleware answers 400 for it
            if too_large:
                return await _send_413(send, language)
        received = 0
        refused = False

        async def bounded_receive():
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answered here; the app sees a client that went away, stops reading and
                    # sends nothing (Django's handler drops what it had spooled).
                    refused = True
                    await _send_413(send, language)
                    return {"type": "http.disconnect"}
            return message

        return await self.app(scope, bounded_receive, send)


async def _send_413(send, language: str) -> None:
    body = too_large_body(language)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# -- Daphne ------------------------------------------------------------------------------------
def install_daphne_body_limit() -> None:
    """Make Daphne build its HTTP requests from `BoundedWebRequest`. Daphne's factory names its
    request class at each connection (`protocol.requestFactory = WebRequest`, a module global),
    so rebinding that name is enough; called from config/asgi.py, which Daphne imports before
    it listens."""
    from daphne import http_protocol

    if getattr(http_protocol.WebRequest, "bounded_body", False):
        return
    http_protocol.WebRequest = _bounded_web_request(http_protocol.WebRequest)


def _bounded_web_request(base):
    class BoundedWebRequest(base):
        """Daphne's request, refusing a body over the limit before Twisted stores it."""

        bounded_body = True

        def gotLength(self, length):
            path = (getattr(self.channel, "_path", b"") or b"").split(b"?", 1)[0]
            self._body_limit = body_limit(path.decode("latin-1"))
            self._body_received = 0
            self._body_refused = False
            if length is not None and length > self._body_limit:
                self._refuse_body()
                return
            super().gotLength(length)

        def handleContentChunk(self, data):
            if self._body_refused:
                return
            self._body_received += len(data)
            if self._body_received > self._body_limit:
                self._refuse_body()
                return
            super().handleContentChunk(data)

        def _refuse_body(self):
            """Answer 413 on the connection and close it: the request never reaches the app,
            and nothing more of its body is read or kept."""
            self._body_refused = True
            # What Twisted stored so far goes; an empty sink stands in for the body.
            content = getattr(self, "content", None)
            if content is not None and not content.closed:
                content.close()
            self.content = io.BytesIO()
            language = self.requestHeaders.getRawHeaders(b"accept-language", [b""])[0]
            body = too_large_body(language.decode("latin-1"))
            transport = self.channel.transport
            transport.write(
                b"HTTP/1.1 413 Request Entity Too Large\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                b"Connection: close\r\n\r\n" + body
            )
            logger.info("refused a request body over %d bytes", self._body_limit)
            transport.loseConnection()

    return BoundedWebRequest
