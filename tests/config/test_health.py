from datetime import UTC, datetime

import pytest

from tests.config.conftest import error_of


def test_health_has_exactly_the_seed_shape(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "timestamp", "environment"}
    assert body["status"] == "ok"
    assert body["environment"] == "development"


def test_health_timestamp_is_iso_8601_utc(client):
    before = datetime.now(UTC)

    stamp = client.get("/health").json()["timestamp"]

    assert stamp.endswith("Z")
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset().total_seconds() == 0
    assert before <= parsed <= datetime.now(UTC)


def test_health_environment_follows_django_env(client, settings):
    settings.DJANGO_ENV = "production"

    assert client.get("/health").json()["environment"] == "production"


def test_health_does_not_touch_the_database(client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = client.get("/health")

    assert response.status_code == 200


def test_health_works_without_database_access(client):
    # No `db` fixture: pytest-django refuses any query, so a query here would fail the test.
    assert client.get("/health").status_code == 200


def test_health_answers_probes_from_addresses_that_are_not_allowed_hosts(client, settings):
    """Docker's HEALTHCHECK calls 127.0.0.1:8000 and Traefik the container's IP."""
    settings.ALLOWED_HOSTS = ["api.example.org"]

    docker = client.get("/health", HTTP_HOST="127.0.0.1:8000")
    traefik = client.get("/health", HTTP_HOST="10.0.3.17:8000")
    api = client.get("/api/v1/auth/me", HTTP_HOST="10.0.3.17:8000")

    assert docker.status_code == traefik.status_code == 200
    assert api.status_code == 400  # everything else still checks the Host header


def test_health_rejects_other_methods_with_the_envelope(client):
    response = client.post("/health")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/health", "/health/"])
def test_health_head_is_allowed(client, path):
    assert client.head(path).status_code == 200
