"""Helpers for the auth endpoint tests."""

import pytest

from tests.conftest import PASSWORD

STRONG_PASSWORD = "una-clave-muy-larga-y-rara"


@pytest.fixture
def login(anon_client):
    """POST /auth/login and return the response (the client stays anonymous)."""

    def do(email, password=PASSWORD, **extra):
        return anon_client.post(
            "/api/v1/auth/login", {"email": email, "password": password}, **extra
        )

    return do


@pytest.fixture
def tokens(user, login):
    """A fresh access/refresh pair for `user`, obtained through the login endpoint."""
    response = login(user.email)
    assert response.status_code == 200, response.content
    return response.json()


def error_of(response) -> dict:
    """The envelope's inner object; fails loudly when the body is not the envelope."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]
