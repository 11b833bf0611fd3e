"""Under ASGI (Daphne, `make run`) the export is streamed too: given a synchronous iterator,
Django gathers it whole into a list before sending the first byte (and warns that it does)."""

import io
import json
import warnings
import zipfile

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async

from config.asgi import application
from tests.conftest import access_token_for
from tests.privacy.test_export import _large_account

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_the_export_is_sent_in_pieces_under_asgi(user):
    await database_sync_to_async(_large_account)(user, rows=600, note_bytes=1000)
    token = await database_sync_to_async(access_token_for)(user)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "path": "/api/v1/export",
        "raw_path": b"/api/v1/export",
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "headers": [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(timeout=10)
        assert start["status"] == 200
        pieces = []
        while True:
            message = await communicator.receive_output(timeout=10)
            pieces.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await communicator.wait(timeout=5)

    assert not [w for w in caught if "consume synchronous iterators" in str(w.message)]
    assert len([p for p in pieces if p]) > 5
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert len(json.loads(archive.read("check_ins.json"))) == 600
