"""`user_for_token`, the websocket's token check (the socket itself is tested in tests/chat)."""

from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from config.ws_auth import user_for_token

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def user_row(django_user_model):
    return django_user_model.objects.create_user(email="ws@example.com", password="x")


async def test_valid_access_token_gives_the_user(user_row):
    user = await user_for_token(str(AccessToken.for_user(user_row)))

    assert user.pk == user_row.pk


@pytest.fixture
def refresh_token(user_row):
    return str(RefreshToken.for_user(user_row))  # writes its outstanding row: not in async


async def test_bad_tokens_give_none(user_row, refresh_token):
    expired = AccessToken.for_user(user_row)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    odd_claim = AccessToken()
    odd_claim["user_id"] = "not-a-uuid"

    for raw in [
        "",
        "garbage",
        str(expired),
        refresh_token,
        str(odd_claim),
        None,
    ]:
        assert await user_for_token(raw) is None


async def test_inactive_user_gives_none(user_row):
    token = str(AccessToken.for_user(user_row))
    user_row.is_active = False
    await user_row.asave()

    assert await user_for_token(token) is None
