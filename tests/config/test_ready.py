"""/health/ready checks the database and the channel layer; 503 naming the failing check.

The database is taken away at the connection level: the "default" connection is replaced by
one to a TCP proxy that the test kills (PostgreSQL), or to a file that cannot be opened
(SQLite). Nothing of ours is mocked.
"""

import socket

import pytest
from django.db import connections

from tests.config.tcp_proxy import TcpProxy

pytestmark = pytest.mark.django_db


@pytest.fixture
def swap_default_connection():
    """Install a copy of the default connection with other settings; restore it afterwards."""
    original = connections["default"]
    installed = []

    def swap(**settings_changes):
        wrapper = original.__class__({**original.settings_dict, **settings_changes}, "default")
        connections["default"] = wrapper
        installed.append(wrapper)
        return wrapper

    yield swap
    connections["default"] = original
    for wrapper in installed:
        wrapper.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ready_is_ok_when_everything_answers(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "channel_layer": "ok", "cache": "ok"}
    assert "error" not in body


@pytest.mark.postgres
def test_ready_is_503_when_the_database_goes_away_and_recovers(client, swap_default_connection):
    settings_dict = connections["default"].settings_dict
    proxy = TcpProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxy.start()
    try:
        swap_default_connection(HOST="127.0.0.1", PORT=str(proxy.port))
        assert client.get("/health/ready").status_code == 200

        proxy.stop()  # the established connection dies and new ones are refused
        down = client.get("/health/ready")
        health = client.get("/health")

        proxy.start()  # same port: the database is back
        back = client.get("/health/ready")
    finally:
        proxy.stop()

    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("error")
    assert body["checks"]["channel_layer"] == "ok"
    assert body["error"]["code"] == "not_ready"
    assert "database" in body["error"]["message"]
    assert health.status_code == 200
    assert back.status_code == 200


@pytest.mark.postgres
def test_ready_is_503_when_the_database_port_is_closed(client, swap_default_connection):
    swap_default_connection(HOST="127.0.0.1", PORT=str(closed_port()))

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")


def test_ready_is_503_when_the_database_cannot_be_opened(
    client, swap_default_connection, settings, tmp_path
):
    if connections["default"].vendor == "sqlite":
        swap_default_connection(NAME=str(tmp_path / "missing-dir" / "db.sqlite3"))
    else:
        swap_default_connection(NAME="agente_no_such_database")

    response = client.get("/health/ready")
    english = client.get("/health/ready", HTTP_ACCEPT_LANGUAGE="en")
    health = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"].startswith("error")
    assert body["checks"]["channel_layer"] == "ok"
    assert body["error"] == {"code": "not_ready", "message": "Comprobaciones fallidas: database"}
    assert english.json()["error"]["message"] == "Failing checks: database"
    assert health.status_code == 200


def test_ready_is_503_naming_the_channel_layer_when_redis_is_unreachable(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{closed_port()}/0"]},
        }
    }

    response = client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["channel_layer"].startswith("error")
    assert "channel_layer" in body["error"]["message"]


@pytest.mark.redis
def test_ready_checks_the_real_redis_channel_layer(client, settings):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"

    assert client.get("/health/ready").json()["checks"]["channel_layer"] == "ok"
