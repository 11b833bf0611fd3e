"""Bodies over the limit are refused with 413 and the envelope before they are stored, by the
real servers (granian for HTTP, Daphne for websockets and the assistant's turns) and by the
ASGI application itself. 1 MiB everywhere, 25 MiB on the voice upload route.

"Before they are stored": the servers answer a request whose headers declare too much without
waiting for its body (the client below never sends one), and a body without a declared length
as soon as it passes the limit."""

import http.client
import json
import socket

import pytest
from asgiref.testing import ApplicationCommunicator

from config.asgi import application
from tests.config.test_shutdown import BIN, free_port, server_env, start, wait_until_healthy

MIB = 1024 * 1024
TASKS = "/api/v1/tasks"
VOICE = "/api/v1/chat/voice"


def raw_request(port: int, path: str, headers: dict, body_parts=()):
    """Send a request by hand (headers, then whatever body parts) and read the answer: status,
    headers (case-insensitive: granian sends their names in lower case) and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        head = f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        conn.sendall((head + "\r\n").encode())
        for part in body_parts:
            conn.sendall(part)
        response = http.client.HTTPResponse(conn)
        response.begin()
        return response.status, response.headers, response.read()


def chunked(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield f"{n:x}\r\n".encode() + b"x" * n + b"\r\n"
        sent += n


def assert_413(status: int, body: bytes) -> None:
    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"


def serve(script: str, tmp_path):
    """bin/<script> on a free port until the test is done."""
    port = free_port()
    log = tmp_path / "server.log"
    process = start([str(BIN / script)], server_env(tmp_path, PORT=str(port)), log)
    try:
        wait_until_healthy(process, port, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except Exception:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(params=["http-server", "ws-server"])
def server_port(request, tmp_path, django_db_setup):
    """The production HTTP server (bin/http-server: granian) or the websocket one
    (bin/ws-server: Daphne)."""
    yield from serve(request.param, tmp_path)


@pytest.fixture
def http_server_port(tmp_path, django_db_setup):
    yield from serve("http-server", tmp_path)


def test_declared_oversize_body_is_refused_without_reading_it(server_port):
    headers = {"Content-Type": "application/json", "Content-Length": str(2 * MIB)}

    status, response_headers, body = raw_request(server_port, TASKS, headers)

    assert_413(status, body)
    assert response_headers["Content-Type"].startswith("application/json")


def test_voice_route_has_its_own_larger_limit(server_port):
    over = {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(26 * MIB)}
    assert_413(*raw_request(server_port, VOICE, over)[::2])

    # 2 MiB is over the general limit but within the voice one: it reaches the view (401, as
    # no token was sent), whole.
    upload = multipart_audio(2 * MIB)
    within = {
        "Content-Type": "multipart/form-data; boundary=limite",
        "Content-Length": str(len(upload)),
    }
    status, _headers, body = raw_request(server_port, VOICE, within, [upload])
    assert status == 401, body[:300]


def multipart_audio(size: int) -> bytes:
    return (
        b"--limite\r\n"
        b'Content-Disposition: form-data; name="audio"; filename="nota.ogg"\r\n'
        b"Content-Type: audio/ogg\r\n\r\n" + b"x" * size + b"\r\n--limite--\r\n"
    )


def test_413_follows_the_accept_language(server_port):
    headers = {"Content-Length": str(2 * MIB), "Accept-Language": "en"}
    status, _headers, body = raw_request(server_port, TASKS, headers)

    assert status == 413
    assert json.loads(body)["error"]["message"] == "The request body is too large."


def test_chunked_body_passing_the_limit_is_refused_on_daphne(tmp_path, django_db_setup):
    """Without Content-Length Daphne would store whatever comes; it stops at the limit. (The
    HTTP server answers such a request 411 before reading it: the next test.)"""
    port = free_port()
    log = tmp_path / "daphne.log"
    process = start([str(BIN / "ws-server")], server_env(tmp_path, PORT=str(port)), log)
    try:
        wait_until_healthy(process, port, log)
        headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        status, _headers, body = raw_request(port, TASKS, headers, chunked(MIB + 1))
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert_413(status, body)


def test_chunked_body_is_refused_unread_on_the_http_server(http_server_port):
    """granian hands the body to Django lazily, so RequestGuardMiddleware (config/middleware.py)
    answers before any of it is read: the client below sends the headers and never a body."""
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}

    status, _headers, body = raw_request(http_server_port, TASKS, headers)

    assert status == 411
    assert json.loads(body)["error"]["code"] == "length_required"


# -- the ASGI application itself (any ASGI server) --------------------------------------------
def http_scope(path: str, headers: list) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


@pytest.mark.asyncio
async def test_asgi_app_refuses_a_streamed_body_once_it_passes_the_limit():
    app = ApplicationCommunicator(
        application, http_scope(TASKS, [(b"content-type", b"application/json")])
    )
    half = b"x" * (MIB // 2 + 1)
    await app.send_input({"type": "http.request", "body": half, "more_body": True})
    await app.send_input({"type": "http.request", "body": half, "more_body": True})

    start_message = await app.receive_output(timeout=5)
    body_message = await app.receive_output(timeout=5)
    assert start_message["status"] == 413
    assert json.loads(body_message["body"])["error"]["code"] == "payload_too_large"
    await app.wait(timeout=5)


@pytest.mark.asyncio
async def test_asgi_app_refuses_a_declared_oversize_body_before_receiving_it():
    headers = [(b"content-type", b"application/json"), (b"content-length", str(2 * MIB).encode())]
    app = ApplicationCommunicator(application, http_scope(TASKS, headers))

    start_message = await app.receive_output(timeout=5)

    assert start_message["status"] == 413
    await app.receive_output(timeout=5)
    await app.wait(timeout=5)
