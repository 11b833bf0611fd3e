# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""Sockets and the mail flows: a password reset ends the user's open sockets (`session.ended`,
reason `password_changed`, as a password change, then 4001; others stay open), and with
EMAIL_VERIFICATION_REQUIRED an unverified account gets no socket."""

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import password_reset_tokens, uid_for
from tests.accounts.conftest import STRONG_PASSWORD
from tests.ws.client import WAIT, communicator, open_ready, receive, receive_close
from tests.ws.fixtures import other_token, token  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _reset_over_http(user) -> int:
    body = {
        "uid": uid_for(user),
        "token": password_reset_tokens.make_token(user),
        "new_password": STRONG_PASSWORD,
    }
    return APIClient().post("/api/v1/auth/password/reset/confirm", body, format="json").status_code


async def test_a_reset_closes_the_users_sockets_but_not_others(user, token, other_token):
    mine = await open_ready(token)
    theirs = await open_ready(other_token)

    assert await database_sync_to_async(_reset_over_http)(user) == 204

    assert await receive(mine) == {"type": "session.ended", "reason": "password_changed"}
    assert await receive_close(mine) == 4001
    await theirs.send_json_to({"type": "ping"})
    assert await receive(theirs) == {"type": "pong"}
    await mine.disconnect()
    await theirs.disconnect()


async def test_when_verification_is_required_an_unverified_account_gets_no_socket(
    user, token, settings
):
    settings.EMAIL_VERIFICATION_REQUIRED = True

    refused = communicator(token=token)
    connected, _ = await refused.connect(timeout=WAIT)
    assert connected
    assert await receive_close(refused) == 4001
    await refused.disconnect()

    await database_sync_to_async(User.objects.filter(pk=user.pk).update)(
        email_verified_at=timezone.now()
    )
    allowed = await open_ready(token)
    await allowed.disconnect()
