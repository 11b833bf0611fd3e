# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""Deleting an account closes its open sockets (`session.ended`, then 4001), and only its."""

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.ws.client import open_ready, receive, receive_close
from tests.ws.fixtures import other_token, token  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _delete_over_http(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.delete("/api/v1/auth/me", {"password": PASSWORD}, format="json").status_code


async def test_deletion_closes_the_users_sockets_but_not_others(user, token, other_token):
    mine = await open_ready(token)
    theirs = await open_ready(other_token)

    assert await database_sync_to_async(_delete_over_http)(token) == 204

    assert await receive(mine) == {"type": "session.ended", "reason": "account_deleted"}
    assert await receive_close(mine) == 4001
    await theirs.send_json_to({"type": "ping"})
    assert await receive(theirs) == {"type": "pong"}
    await mine.disconnect()
    await theirs.disconnect()
