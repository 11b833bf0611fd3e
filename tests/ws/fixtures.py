"""Fixtures for the websocket tests; test modules import the ones they use."""

import pytest

from chat.consumers import ChatConsumer
from tests.conftest import access_token_for


@pytest.fixture
def token(user):
    return access_token_for(user)


@pytest.fixture
def other_token(other_user):
    return access_token_for(other_user)


@pytest.fixture
def short_auth_timeout(monkeypatch):
    """Sockets without a header get 0.2 s instead of 10 s to send their auth frame."""
    monkeypatch.setattr(ChatConsumer, "auth_timeout_seconds", 0.2)
