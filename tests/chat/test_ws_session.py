# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""A socket follows its session: it closes with 4001 when its access token expires unless a
fresh token arrives in an `auth` frame first, and at once when the user's sessions are revoked
(password change, log out everywhere, deactivation, a replayed refresh token)."""

from datetime import UTC, datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts import services
from accounts.models import User
from tests.conftest import PASSWORD
from tests.ws.client import WAIT, communicator, open_ready, receive, receive_close
from tests.ws.daphne import daphne_url  # noqa: F401
from tests.ws.fixtures import other_token, token  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

# `exp` has whole seconds: a token of this lifetime lives one to two seconds.
SHORT = timedelta(seconds=2)


@pytest.fixture
def short_access_tokens(monkeypatch):
    """Access tokens issued from here on live about two seconds."""
    monkeypatch.setattr(AccessToken, "lifetime", SHORT)


def fresh_access(user) -> str:
    return services.tokens_for(user)["access"]


async def test_socket_closes_4001_when_its_token_expires(user, short_access_tokens):
    socket = await open_ready(await database_sync_to_async(fresh_access)(user))

    assert await receive(socket) == {"type": "session.ended", "reason": "token_expired"}
    assert await receive_close(socket) == 4001
    await socket.disconnect()


async def test_auth_frame_with_a_fresh_token_extends_the_socket(user, short_access_tokens):
    socket = await open_ready(await database_sync_to_async(fresh_access)(user))
    # Before the first token expires, a longer one: the socket outlives the first.
    AccessToken.lifetime = timedelta(minutes=5)
    longer = await database_sync_to_async(fresh_access)(user)
    await socket.send_json_to({"type": "auth", "token": longer})

    frame = await receive(socket)
    assert frame["type"] == "auth.ok"
    expires_at = datetime.fromisoformat(frame["expires_at"])
    assert expires_at == datetime.fromtimestamp(AccessToken(longer)["exp"], tz=UTC)
    # Past the first token's expiry, the socket still answers.
    assert await socket.receive_nothing(timeout=2.5)
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_auth_frame_with_a_bad_token_changes_nothing(user, token):
    socket = await open_ready(token)
    await socket.send_json_to({"type": "auth", "token": "not-a-jwt"})

    frame = await receive(socket)
    assert (frame["type"], frame["code"]) == ("error", "token_not_valid")
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_auth_frame_with_another_users_token_is_refused(user, token, other_token):
    socket = await open_ready(token)
    await socket.send_json_to({"type": "auth", "token": other_token})

    frame = await receive(socket)
    assert (frame["type"], frame["code"]) == ("error", "token_user_mismatch")
    await socket.disconnect()


def _change_password_over_http(user) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh_access(user)}")
    body = {"current_password": PASSWORD, "new_password": "otra clave bastante larga"}
    return client.post("/api/v1/auth/password", body, format="json").status_code


def _logout_all_over_http(user) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh_access(user)}")
    return client.post("/api/v1/auth/logout-all").status_code


def _deactivate(user) -> None:
    # As the admin does: a plain save with is_active False.
    fresh = User.objects.get(pk=user.pk)
    fresh.is_active = False
    fresh.save()


@pytest.mark.parametrize(
    ("revoke", "reason"),
    [
        (_change_password_over_http, "password_changed"),
        (_logout_all_over_http, "logout_all"),
        (_deactivate, "deactivated"),
    ],
    ids=["password_change", "logout_all", "deactivation"],
)
async def test_revocation_closes_the_users_sockets_but_not_others(
    user, token, other_token, revoke, reason
):
    mine = await open_ready(token)
    theirs = await open_ready(other_token)

    await database_sync_to_async(revoke)(user)

    assert await receive(mine) == {"type": "session.ended", "reason": reason}
    assert await receive_close(mine) == 4001
    await theirs.send_json_to({"type": "ping"})
    assert await receive(theirs) == {"type": "pong"}
    await mine.disconnect()
    await theirs.disconnect()


async def test_a_revoked_token_cannot_open_a_socket(user, token):
    await database_sync_to_async(services.logout_all)(user=user)

    socket = communicator(token=token)
    connected, _ = await socket.connect()
    assert connected
    assert await receive_close(socket) == 4001
    await socket.disconnect()


@pytest.mark.postgres
@pytest.mark.redis
async def test_logout_all_here_closes_a_socket_served_by_another_process(
    daphne_url, user, token, other_token
):
    """The socket lives in a Daphne subprocess; the revocation commits in this process and
    reaches it through the Redis channel layer."""
    import asyncio
    import json

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    def open_socket(access):
        return connect(
            f"{daphne_url}/ws/chat/",
            additional_headers={"Authorization": f"Bearer {access}"},
            proxy=None,
            open_timeout=WAIT,
        )

    async with open_socket(token) as mine, open_socket(other_token) as theirs:
        assert json.loads(await asyncio.wait_for(mine.recv(), WAIT)) == {"type": "ready"}
        assert json.loads(await asyncio.wait_for(theirs.recv(), WAIT)) == {"type": "ready"}

        assert await database_sync_to_async(_logout_all_over_http)(user) == 204

        ended = json.loads(await asyncio.wait_for(mine.recv(), WAIT))
        assert ended == {"type": "session.ended", "reason": "logout_all"}
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(mine.recv(), WAIT)
        assert closed.value.rcvd.code == 4001
        await theirs.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(theirs.recv(), WAIT)) == {"type": "pong"}


async def test_ending_every_session_closes_every_users_sockets(token, other_token):
    from accounts.sessions import sessions_end_all

    sockets = [await open_ready(token), await open_ready(other_token)]

    await database_sync_to_async(sessions_end_all)()

    for socket in sockets:
        assert await receive(socket) == {"type": "session.ended", "reason": "all_sessions_ended"}
        assert await receive_close(socket) == 4001
        await socket.disconnect()
