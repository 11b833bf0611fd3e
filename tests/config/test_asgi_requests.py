"""Requests through the ASGI application itself, as Daphne delivers them (the test client
always computes Content-Length, a real client need not)."""

import json

import pytest
from channels.testing import HttpCommunicator

from config.asgi import application


async def call(method, path, body=b"", headers=()):
    communicator = HttpCommunicator(application, method, path, body=body, headers=list(headers))
    response = await communicator.get_response(timeout=10)
    return response["status"], json.loads(response["body"] or b"null")


@pytest.mark.asyncio
async def test_chunked_body_without_content_length_is_411():
    # (A chunked body over the limit is refused earlier, with 413: test_body_limits.py.)
    body = json.dumps({"email": "a@example.com", "password": "x" * 2_000}).encode()

    status, payload = await call(
        "POST",
        "/api/v1/auth/login",
        body,
        [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    )

    assert status == 411
    assert payload["error"]["code"] == "length_required"


@pytest.mark.asyncio
async def test_declared_oversize_body_is_413_before_it_is_parsed():
    body = b"{" + b" " * 2_000_000 + b"}"

    status, payload = await call(
        "POST",
        "/api/v1/auth/login",
        body,
        [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    )

    assert status == 413
    assert payload["error"]["code"] == "payload_too_large"


@pytest.mark.asyncio
async def test_health_through_asgi():
    status, payload = await call("GET", "/health")

    assert status == 200
    assert set(payload) == {"status", "timestamp", "environment"}
