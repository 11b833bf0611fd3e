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


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server, and Django's real SMTP backend pointed at it (not locmem)."""
    from tests.fakes.smtp_server import SMTPServer

    server = SMTPServer().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
        }
    }
    yield server
    server.stop()


@pytest.fixture
def database_backend(settings):
    """Jobs stored for the worker, as in production; none runs here."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
